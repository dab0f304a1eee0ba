using Propeller.Contracts.Configuration;
using Propeller.Manager.Hosting;

namespace Propeller.Manager.Tests.Plugins;

public sealed class PluginOptionsTests
{
    private static ManagerOptions Load(params (string Name, string Value)[] settings)
    {
        var variables = new Dictionary<string, string>
        {
            ["MANAGER_TENANT_ID"] = "tenant",
            ["MANAGER_CHANNEL_ID"] = "channel",
            ["MANAGER_ENTITY_ID"] = "entity",
            ["MANAGER_API_KEY"] = "key",
        };
        foreach (var (name, value) in settings)
        {
            variables[name] = value;
        }

        return ManagerOptions.FromEnvironment(name => variables.GetValueOrDefault(name), Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.toml"));
    }

    [Fact]
    public void FromEnvironment_Unset_NoPluginsAndOneSecond()
    {
        var options = Load();

        Assert.Null(options.PluginDir);
        Assert.Equal(TimeSpan.FromSeconds(1), options.PluginTimeout);
    }

    [Fact]
    public void FromEnvironment_DirectoryAndTimeout_AreRead()
    {
        var options = Load(("MANAGER_PLUGIN_DIR", "/some/plugins"), ("MANAGER_PLUGIN_TIMEOUT", "250ms"));

        Assert.Equal("/some/plugins", options.PluginDir);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.PluginTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("later")]
    public void FromEnvironment_BadTimeout_NamesTheVariable(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(("MANAGER_PLUGIN_TIMEOUT", text)));

        Assert.StartsWith("MANAGER_PLUGIN_TIMEOUT:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_PluginDirIsAFile_IsAStartupError()
    {
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<ConfigurationException>(() => Load(("MANAGER_PLUGIN_DIR", file)));

            Assert.Equal($"MANAGER_PLUGIN_DIR: '{file}' is a file, not a directory", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
