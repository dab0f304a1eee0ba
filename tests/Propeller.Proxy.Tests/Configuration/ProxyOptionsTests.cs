using Microsoft.Extensions.Logging;
using Propeller.Contracts.Configuration;
using Propeller.Proxy.Configuration;

namespace Propeller.Proxy.Tests.Configuration;

public sealed class ProxyOptionsTests
{
    private static Dictionary<string, string> Identity() => new()
    {
        [ProxyVariables.TenantId] = "tenant",
        [ProxyVariables.ChannelId] = "channel",
        [ProxyVariables.EntityId] = "proxy-1",
        [ProxyVariables.ApiKey] = "key",
    };

    private static Dictionary<string, string> With(params (string Name, string Value)[] values)
    {
        var environment = Identity();
        foreach (var (name, value) in values)
        {
            environment[name] = value;
        }

        return environment;
    }

    [Fact]
    public void FromEnvironment_OnlyIdentity_UsesTheDefaults()
    {
        var options = ProxyOptions.FromEnvironment(Identity());

        Assert.Equal(new EntityCredentials("tenant", "channel", "proxy-1", "key"), options.Credentials);
        Assert.Equal("tcp://localhost:1883", options.MqttAddress);
        Assert.Equal(2, options.MqttQos);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MqttTimeout);
        Assert.Equal(16, options.MqttMaxInflight);
        Assert.Equal("0.0.0.0", options.HttpHost);
        Assert.Equal(9191, options.HttpPort);
        Assert.Equal(512_000, options.ChunkSize);
        Assert.False(options.Authenticate);
        Assert.Empty(options.InsecureRegistries);
        Assert.Equal(100L * 1024 * 1024, options.MaxArtifactBytes);
        Assert.Equal(128L * 1024 * 1024, options.CacheBytes);
        Assert.Equal(50, options.MaxConcurrentFetches);
        Assert.Equal(LogLevel.Information, options.LogLevel);
        Assert.Empty(options.ToOciClientOptions().Credentials);
    }

    [Fact]
    public void FromEnvironment_EveryVariable_IsRead()
    {
        var options = ProxyOptions.FromEnvironment(With(
            (ProxyVariables.LogLevel, "debug"),
            (ProxyVariables.MqttAddress, "tcp://broker:1884"),
            (ProxyVariables.MqttQos, "1"),
            (ProxyVariables.MqttTimeout, "1m30s"),
            (ProxyVariables.MqttMaxInflight, "8"),
            (ProxyVariables.MqttTlsInsecureSkipVerify, "true"),
            (ProxyVariables.HttpHost, "127.0.0.1"),
            (ProxyVariables.HttpPort, "0"),
            (ProxyVariables.ChunkSize, "1024"),
            (ProxyVariables.Authenticate, "true"),
            (ProxyVariables.RegistryUsername, "user"),
            (ProxyVariables.RegistryPassword, " secret "),
            (ProxyVariables.RegistryToken, "token"),
            (ProxyVariables.RegistryUrl, "https://Registry.Example:5000/v2/"),
            (ProxyVariables.InsecureRegistries, "lab:5000, http://other.local ,"),
            (ProxyVariables.MaxArtifactBytes, "2048"),
            (ProxyVariables.CacheBytes, "0"),
            (ProxyVariables.MaxConcurrentFetches, "3")));

        Assert.Equal(LogLevel.Debug, options.LogLevel);
        Assert.Equal("tcp://broker:1884", options.MqttAddress);
        Assert.Equal(1, options.MqttQos);
        Assert.Equal(TimeSpan.FromSeconds(90), options.MqttTimeout);
        Assert.Equal(8, options.MqttMaxInflight);
        Assert.True(options.MqttTlsInsecureSkipVerify);
        Assert.Equal("127.0.0.1", options.HttpHost);
        Assert.Equal(0, options.HttpPort);
        Assert.Equal(1024, options.ChunkSize);
        Assert.Equal("registry.example:5000", options.RegistryHost);
        Assert.Equal(["lab:5000", "other.local"], options.InsecureRegistries);
        Assert.Equal(2048, options.MaxArtifactBytes);
        Assert.Equal(0, options.CacheBytes);
        Assert.Equal(3, options.MaxConcurrentFetches);
        var oci = options.ToOciClientOptions();
        var credential = Assert.Single(oci.Credentials);
        Assert.Equal(new Propeller.Proxy.Oci.OciCredential("registry.example:5000", "user", " secret ", "token"), credential);
        Assert.Equal(["lab:5000", "other.local"], oci.InsecureRegistries);
    }

    [Fact]
    public void FromEnvironment_CredentialsWithoutAuthenticate_AreNotUsed()
    {
        var options = ProxyOptions.FromEnvironment(With((ProxyVariables.RegistryToken, "token"), (ProxyVariables.RegistryUrl, "docker.io")));

        Assert.Empty(options.ToOciClientOptions().Credentials);
    }

    [Fact]
    public void FromEnvironment_MissingIdentity_ReadsTheProxyTableOfTheConfigFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """
                [manager]
                tenant_id = "t-m"
                entity_id = "manager"
                api_key = "k-m"
                channel_id = "c-m"

                [proxy]
                tenant_id = "t-p"
                entity_id = "proxy-from-file"
                api_key = "k-p"
                channel_id = "c-p"
                """);
            var options = ProxyOptions.FromEnvironment(new Dictionary<string, string>
            {
                [ProxyVariables.ConfigFile] = file,
                [ProxyVariables.ApiKey] = "key-from-env",
            });

            Assert.Equal(new EntityCredentials("t-p", "c-p", "proxy-from-file", "key-from-env"), options.Credentials);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void FromEnvironment_MissingIdentityAndNoConfigFile_NamesTheVariables()
    {
        var error = Assert.Throws<ConfigurationException>(() => ProxyOptions.FromEnvironment(new Dictionary<string, string>
        {
            [ProxyVariables.ConfigFile] = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".toml"),
            [ProxyVariables.TenantId] = "tenant",
        }));

        Assert.Contains("PROXY_ENTITY_ID", error.Message, StringComparison.Ordinal);
        Assert.Contains("PROXY_API_KEY", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PROXY_TENANT_ID", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProxyVariables.ChunkSize, "1023")]
    [InlineData(ProxyVariables.ChunkSize, "7340033")]
    [InlineData(ProxyVariables.ChunkSize, "big")]
    [InlineData(ProxyVariables.HttpPort, "70000")]
    [InlineData(ProxyVariables.HttpPort, "abc")]
    [InlineData(ProxyVariables.MqttQos, "3")]
    [InlineData(ProxyVariables.MqttTimeout, "soon")]
    [InlineData(ProxyVariables.MqttTimeout, "0s")]
    [InlineData(ProxyVariables.MqttMaxInflight, "0")]
    [InlineData(ProxyVariables.MqttMaxInflight, "many")]
    [InlineData(ProxyVariables.MqttAddress, "http://broker")]
    [InlineData(ProxyVariables.MqttTlsInsecureSkipVerify, "maybe")]
    [InlineData(ProxyVariables.Authenticate, "perhaps")]
    [InlineData(ProxyVariables.MaxArtifactBytes, "0")]
    [InlineData(ProxyVariables.CacheBytes, "-1")]
    [InlineData(ProxyVariables.MaxConcurrentFetches, "0")]
    [InlineData(ProxyVariables.LogLevel, "loud")]
    [InlineData(ProxyVariables.MqttTlsCaCert, "/no/such/ca.pem")]
    public void FromEnvironment_InvalidValue_NamesTheVariable(string variable, string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => ProxyOptions.FromEnvironment(With((variable, value))));

        Assert.StartsWith(variable + ":", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1024")]
    [InlineData("7340032")]
    public void FromEnvironment_ChunkSizeAtTheBounds_IsAccepted(string value)
    {
        var options = ProxyOptions.FromEnvironment(With((ProxyVariables.ChunkSize, value)));

        Assert.Equal(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture), options.ChunkSize);
    }

    [Fact]
    public void FromEnvironment_AuthenticateWithoutRegistryUrl_NamesRegistryUrl()
    {
        var error = Assert.Throws<ConfigurationException>(() => ProxyOptions.FromEnvironment(With(
            (ProxyVariables.Authenticate, "true"), (ProxyVariables.RegistryToken, "token"))));

        Assert.StartsWith(ProxyVariables.RegistryUrl + ":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_AuthenticateWithoutSecrets_NamesTheCredentialVariables()
    {
        var error = Assert.Throws<ConfigurationException>(() => ProxyOptions.FromEnvironment(With(
            (ProxyVariables.Authenticate, "true"), (ProxyVariables.RegistryUrl, "ghcr.io"), (ProxyVariables.RegistryUsername, "user"))));

        Assert.Contains(ProxyVariables.RegistryPassword, error.Message, StringComparison.Ordinal);
        Assert.Contains(ProxyVariables.RegistryToken, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_AuthenticateWithToken_BindsItToTheRegistryHost()
    {
        var options = ProxyOptions.FromEnvironment(With(
            (ProxyVariables.Authenticate, "1"), (ProxyVariables.RegistryUrl, "ghcr.io"), (ProxyVariables.RegistryToken, "t0k")));

        Assert.Equal(new Propeller.Proxy.Oci.OciCredential("ghcr.io", null, null, "t0k"), Assert.Single(options.ToOciClientOptions().Credentials));
    }
}
