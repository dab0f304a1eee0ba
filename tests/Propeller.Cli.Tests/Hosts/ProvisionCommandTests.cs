using Propeller.Broker.Credentials;
using Propeller.Contracts.Configuration;

namespace Propeller.Cli.Tests.Hosts;

public sealed class ProvisionCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("propeller-provision-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Provision_ThreeProplets_WritesOriginalSectionsWhoseKeysAuthenticate()
    {
        var config = Path.Combine(_dir, "config.toml");
        var credentials = Path.Combine(_dir, "data", "credentials.json");

        var exit = await CliApp.RunAsync(["provision", "--proplets", "3", "--file", config, "--credentials", credentials, "--tenant", "acme", "--channel", "fleet"], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        var store = CredentialStore.Open(credentials);
        foreach (var section in new[] { "manager", "proplet1", "proplet2", "proplet3", "proxy" })
        {
            var values = ConfigToml.ReadSection(config, section);
            Assert.NotNull(values);
            Assert.NotNull(store.Authenticate(values["entity_id"], values["api_key"]));
        }

        Assert.Null(ConfigToml.ReadSection(config, "proplet"));
        Assert.DoesNotContain(ConfigToml.ReadSection(config, "manager")!["api_key"], await File.ReadAllTextAsync(credentials), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddProplets_ExistingFile_InsertsBeforeProxy()
    {
        var config = Path.Combine(_dir, "config.toml");
        var credentials = Path.Combine(_dir, "credentials.json");
        Assert.Equal(0, await CliApp.RunAsync(["provision", "--proplets", "2", "--file", config, "--credentials", credentials], TextWriter.Null, TextWriter.Null));

        var exit = await CliApp.RunAsync(["provision", "add-proplets", "--count", "2", "--file", config, "--credentials", credentials], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        var text = await File.ReadAllTextAsync(config);
        Assert.True(text.IndexOf("[proplet4]", StringComparison.Ordinal) < text.IndexOf("[proxy]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Provision_ZeroProplets_FailsWithError()
    {
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["provision", "--proplets", "0", "--file", Path.Combine(_dir, "c.toml"), "--credentials", Path.Combine(_dir, "c.json")], TextWriter.Null, error);

        Assert.Equal(1, exit);
        Assert.StartsWith("error:", error.ToString(), StringComparison.Ordinal);
    }
}
