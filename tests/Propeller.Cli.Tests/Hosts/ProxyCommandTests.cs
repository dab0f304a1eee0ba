namespace Propeller.Cli.Tests.Hosts;

public sealed class ProxyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("propeller-proxy-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Proxy_ConfigWithoutProxySection_ExitsNonZeroNamingTheMissingTable()
    {
        var config = Path.Combine(_dir, "config.toml");
        await File.WriteAllTextAsync(config, "[manager]\ntenant_id = \"t\"\nentity_id = \"m\"\napi_key = \"k\"\nchannel_id = \"c\"\n");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["proxy", "--config", config], output, error);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("[proxy]", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_MissingConfigFile_ExitsNonZero()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["proxy", "--config", Path.Combine(_dir, "absent.toml")], output, error);

        Assert.Equal(1, exit);
        Assert.Contains("absent.toml", error.ToString(), StringComparison.Ordinal);
    }
}
