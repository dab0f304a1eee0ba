using System.Text;
using Propeller.Contracts.Configuration;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Tests.Runtimes.Limits;

/// <summary>The limit and cache variables, and the start message's <c>timeout_ms</c> on the wire.</summary>
public sealed class LimitSettingsTests
{
    private static readonly Dictionary<string, string> Identity = new()
    {
        ["PROPLET_TENANT_ID"] = "t",
        ["PROPLET_CHANNEL_ID"] = "c",
        ["PROPLET_ENTITY_ID"] = "proplet-1",
        ["PROPLET_API_KEY"] = "k",
        [PropletVariables.ConfigFile] = "/nonexistent/config.toml",
    };

    [Fact]
    public void FromEnvironment_Unset_UsesDefaults()
    {
        var runtime = PropletOptions.FromEnvironment(Identity).Runtime;

        Assert.Equal(TimeSpan.Zero, runtime.TaskTimeout);
        Assert.Equal(256L * 1024 * 1024, runtime.MaxMemoryBytes);
        Assert.Equal(0UL, runtime.Fuel);
        Assert.Equal(Path.Combine(Path.GetTempPath(), "propeller-proplet-cache", "proplet-1"), runtime.CacheDirectory);
    }

    [Fact]
    public void FromEnvironment_AllSet_ReadsThem()
    {
        var environment = new Dictionary<string, string>(Identity)
        {
            [PropletVariables.TaskTimeout] = "90",
            [PropletVariables.MaxMemoryBytes] = "1048576",
            [PropletVariables.Fuel] = "5000",
            [PropletVariables.CacheDir] = "/var/cache/proplet",
        };

        var runtime = PropletOptions.FromEnvironment(environment).Runtime;

        Assert.Equal(TimeSpan.FromSeconds(90), runtime.TaskTimeout);
        Assert.Equal(1048576, runtime.MaxMemoryBytes);
        Assert.Equal(5000UL, runtime.Fuel);
        Assert.Equal("/var/cache/proplet", runtime.CacheDirectory);
    }

    [Fact]
    public void FromEnvironment_ZeroMemory_FailsNamingTheVariable()
    {
        var environment = new Dictionary<string, string>(Identity) { [PropletVariables.MaxMemoryBytes] = "0" };

        var error = Assert.Throws<ConfigurationException>(() => PropletOptions.FromEnvironment(environment));

        Assert.Contains(PropletVariables.MaxMemoryBytes, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartMessage_TimeoutMs_RoundTripsAndIsOmittedWhenNull()
    {
        var start = PropellerJson.Parse(
            Encoding.UTF8.GetBytes("""{"id":"t","name":"add","timeout_ms":1500}"""), PropellerJson.Context.StartMessage);

        Assert.Equal(1500, start.TimeoutMs);
        Assert.Contains("\"timeout_ms\":1500", PropellerJson.ToText(start, PropellerJson.Context.StartMessage), StringComparison.Ordinal);
        Assert.DoesNotContain(
            "timeout_ms", PropellerJson.ToText(new StartMessage { Id = "t" }, PropellerJson.Context.StartMessage), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeTimeout_NamesTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new WasmRuntimeOptions { TaskTimeout = TimeSpan.FromSeconds(-1) }.Validate());

        Assert.Contains(nameof(WasmRuntimeOptions.TaskTimeout), error.Message, StringComparison.Ordinal);
    }
}
