using Propeller.Contracts.Configuration;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Delivery;

namespace Propeller.Proplet.Tests.Delivery;

public sealed class DeliveryOptionsTests
{
    [Fact]
    public void FromEnvironment_Unset_UsesTheOriginalsDefaults()
    {
        var delivery = PropletOptions.FromEnvironment(Environment()).Delivery;

        Assert.Equal(TimeSpan.FromSeconds(30), delivery.HttpTimeout);
        Assert.Equal(104_857_600, delivery.MaxBinaryBytes);
        Assert.Equal(TimeSpan.FromSeconds(60), delivery.ChunkTimeout);
        Assert.Equal(256L * 1024 * 1024, delivery.BinaryCacheBytes);
        Assert.Equal(Path.Combine("/tmp/pc", "binaries"), delivery.BinaryCacheDirectory);
        Assert.Null(delivery.HttpTlsCaCert);
        Assert.False(delivery.HttpTlsInsecureSkipVerify);
    }

    [Fact]
    public void FromEnvironment_Set_ReadsEveryVariable()
    {
        var delivery = PropletOptions.FromEnvironment(Environment(
            (PropletVariables.HttpTimeout, "5"),
            (PropletVariables.HttpMaxBytes, "2048"),
            (PropletVariables.ChunkTimeout, "7"),
            (PropletVariables.BinaryCacheBytes, "0"),
            (PropletVariables.HttpTlsInsecureSkipVerify, "yes"))).Delivery;

        Assert.Equal(TimeSpan.FromSeconds(5), delivery.HttpTimeout);
        Assert.Equal(2048, delivery.MaxBinaryBytes);
        Assert.Equal(TimeSpan.FromSeconds(7), delivery.ChunkTimeout);
        Assert.Equal(0, delivery.BinaryCacheBytes);
        Assert.True(delivery.HttpTlsInsecureSkipVerify);
    }

    [Fact]
    public void FromEnvironment_ValueWithUnits_KeepsTheDefault()
    {
        var delivery = PropletOptions.FromEnvironment(Environment((PropletVariables.HttpTimeout, "30s"))).Delivery;

        Assert.Equal(TimeSpan.FromSeconds(30), delivery.HttpTimeout);
    }

    [Theory]
    [InlineData(PropletVariables.HttpTimeout, "0", "PROPLET_HTTP_TIMEOUT must be positive")]
    [InlineData(PropletVariables.ChunkTimeout, "0", "PROPLET_CHUNK_TIMEOUT must be positive")]
    [InlineData(PropletVariables.HttpMaxBytes, "0", "PROPLET_HTTP_MAX_BYTES must be positive")]
    [InlineData(PropletVariables.HttpTlsCaCert, "/nonexistent/ca.pem", "PROPLET_HTTP_TLS_CA_CERT: file '/nonexistent/ca.pem' does not exist")]
    public void FromEnvironment_InvalidValue_NamesTheVariable(string variable, string value, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => PropletOptions.FromEnvironment(Environment((variable, value))));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_CaFileWithoutCertificates_NamesTheVariable()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a certificate");

            var error = Assert.Throws<ConfigurationException>(
                () => PropletOptions.FromEnvironment(Environment((PropletVariables.HttpTlsCaCert, file))));

            Assert.StartsWith($"PROPLET_HTTP_TLS_CA_CERT: file '{file}' is not a PEM certificate", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("registry.io/wasm/add@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("registry.io/wasm/add:v1@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("registry.io/wasm/add:v1", false)]
    [InlineData("registry.io/wasm/add@sha256:short", false)]
    [InlineData("@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    public void IsPinnedReference_RecognisesDigestReferences(string reference, bool pinned) =>
        Assert.Equal(pinned, WasmDigest.IsPinnedReference(reference));

    private static Dictionary<string, string> Environment(params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["PROPLET_TENANT_ID"] = "t",
            ["PROPLET_CHANNEL_ID"] = "c",
            ["PROPLET_ENTITY_ID"] = "e",
            ["PROPLET_API_KEY"] = "k",
            [PropletVariables.ConfigFile] = "/nonexistent/config.toml",
            [PropletVariables.CacheDir] = "/tmp/pc",
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return environment;
    }
}
