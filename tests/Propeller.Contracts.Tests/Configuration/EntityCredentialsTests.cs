using Propeller.Contracts.Configuration;

namespace Propeller.Contracts.Tests.Configuration;

public sealed class EntityCredentialsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("propeller-cfg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Resolve_AllFromEnvironment_DoesNotNeedAFile()
    {
        var env = new Dictionary<string, string> { ["P_TENANT_ID"] = "t", ["P_CHANNEL_ID"] = "c", ["P_ENTITY_ID"] = "e", ["P_API_KEY"] = "k" };

        var credentials = EntityCredentials.Resolve("P_", env.GetValueOrDefault, Path.Combine(_dir, "missing.toml"), "proplet");

        Assert.Equal(new EntityCredentials("t", "c", "e", "k"), credentials);
    }

    [Fact]
    public void Resolve_MissingValues_ComeFromTheTomlSection()
    {
        var file = Path.Combine(_dir, "config.toml");
        File.WriteAllText(file, """
            # Propeller
            [manager]
            tenant_id = "t0"
            entity_id = "m"
            api_key = "mk"
            channel_id = "c0"

            [proplet2]
            tenant_id = "t0"
            entity_id = "p2"
            api_key = "pk2"
            channel_id = "c0"
            """);
        var env = new Dictionary<string, string> { ["P_API_KEY"] = "from-env" };

        var credentials = EntityCredentials.Resolve("P_", env.GetValueOrDefault, file, "proplet2");

        Assert.Equal(new EntityCredentials("t0", "c0", "p2", "from-env"), credentials);
    }

    [Fact]
    public void Resolve_NoFileAndMissingKey_NamesTheSetting()
    {
        var env = new Dictionary<string, string> { ["PROPLET_TENANT_ID"] = "t", ["PROPLET_CHANNEL_ID"] = "c", ["PROPLET_ENTITY_ID"] = "e" };

        var error = Assert.Throws<ConfigurationException>(() => EntityCredentials.Resolve("PROPLET_", env.GetValueOrDefault, Path.Combine(_dir, "none.toml"), "proplet"));

        Assert.Contains("api_key/PROPLET_API_KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_SectionMissing_IsClearError()
    {
        var file = Path.Combine(_dir, "config.toml");
        File.WriteAllText(file, "[manager]\ntenant_id = \"t\"\n");

        var error = Assert.Throws<ConfigurationException>(() => EntityCredentials.Resolve("X_", _ => null, file, "proxy"));

        Assert.Contains("[proxy]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_InvalidToml_IsClearError()
    {
        var file = Path.Combine(_dir, "config.toml");
        File.WriteAllText(file, "[manager\ntenant_id = ");

        var error = Assert.Throws<ConfigurationException>(() => EntityCredentials.Resolve("X_", _ => null, file, "manager"));

        Assert.Contains("not valid TOML", error.Message, StringComparison.Ordinal);
    }
}
