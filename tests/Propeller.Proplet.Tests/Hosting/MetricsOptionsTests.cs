using Propeller.Contracts.Configuration;
using Propeller.Proplet.Configuration;

namespace Propeller.Proplet.Tests.Hosting;

public sealed class MetricsOptionsTests
{
    [Fact]
    public void FromEnvironment_Unset_ServesOnPort9092()
    {
        var options = PropletOptions.FromEnvironment(Environment());

        Assert.True(options.MetricsEnabled);
        Assert.Equal(9092, options.MetricsPort);
        Assert.Null(options.IgnoredMetricsPort);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("9092x")]
    [InlineData("-1")]
    public void FromEnvironment_InvalidPort_KeepsTheDefaultAndRemembersTheValue(string value)
    {
        var options = PropletOptions.FromEnvironment(Environment((PropletVariables.MetricsPort, value)));

        Assert.Equal(PropletOptions.DefaultMetricsPort, options.MetricsPort);
        Assert.Equal(value, options.IgnoredMetricsPort);
    }

    [Fact]
    public void FromEnvironment_ValidPort_UsesIt() =>
        Assert.Equal(19092, PropletOptions.FromEnvironment(Environment((PropletVariables.MetricsPort, "19092"))).MetricsPort);

    [Theory]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("", false)]
    [InlineData("TRUE", true)]
    [InlineData("on", true)]
    public void FromEnvironment_Enabled_IsTruthyParsed(string value, bool expected) =>
        Assert.Equal(expected, PropletOptions.FromEnvironment(Environment((PropletVariables.MetricsEnabled, value))).MetricsEnabled);

    [Theory]
    [InlineData(-1)]
    [InlineData(70000)]
    public void Validate_PortOutOfRange_NamesTheVariable(int port)
    {
        var options = PropletOptions.FromEnvironment(Environment()) with { MetricsPort = port };

        var error = Assert.Throws<ConfigurationException>(options.Validate);

        Assert.Contains("PROPLET_METRICS_PORT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PortZeroInCode_IsAFreePort() =>
        (PropletOptions.FromEnvironment(Environment()) with { MetricsPort = 0 }).Validate();

    private static Dictionary<string, string> Environment(params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["PROPLET_TENANT_ID"] = "t",
            ["PROPLET_CHANNEL_ID"] = "c",
            ["PROPLET_ENTITY_ID"] = "p",
            ["PROPLET_API_KEY"] = "k",
            [PropletVariables.ConfigFile] = "/nonexistent/config.toml",
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return environment;
    }
}
