using Propeller.Contracts.Configuration;
using Propeller.Manager.Hosting;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Tests.Hosting;

public sealed class InvokeTimeoutOptionsTests
{
    private static ManagerOptions Load(string? invokeTimeout)
    {
        var variables = new Dictionary<string, string>
        {
            ["MANAGER_TENANT_ID"] = "tenant",
            ["MANAGER_CHANNEL_ID"] = "channel",
            ["MANAGER_ENTITY_ID"] = "entity",
            ["MANAGER_API_KEY"] = "key",
        };
        if (invokeTimeout is not null)
        {
            variables[ManagerEnvironment.InvokeTimeout] = invokeTimeout;
        }

        return ManagerOptions.FromEnvironment(name => variables.GetValueOrDefault(name), Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.toml"));
    }

    [Fact]
    public void FromEnvironment_Unset_Is30Seconds() =>
        Assert.Equal(TimeSpan.FromSeconds(30), Load(null).InvokeTimeout);

    [Theory]
    [InlineData("45s", 45_000)]
    [InlineData("2m", 120_000)]
    [InlineData("500ms", 500)]
    [InlineData("90", 90_000)]
    public void FromEnvironment_GoDurationOrSeconds_IsRead(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Load(text).InvokeTimeout);

    [Theory]
    [InlineData("0")]
    [InlineData("soon")]
    [InlineData("-5s")]
    public void FromEnvironment_BadValue_NamesTheVariable(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(text));

        Assert.StartsWith("MANAGER_INVOKE_TIMEOUT:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30_000, "30s")]
    [InlineData(300, "300ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    public void FormatDuration_PrintsAsGoDoes(int milliseconds, string expected) =>
        Assert.Equal(expected, TaskInvoker.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));
}
