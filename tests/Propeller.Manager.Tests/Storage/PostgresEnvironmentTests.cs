using Propeller.Contracts.Configuration;
using Propeller.Manager.Hosting;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tests.Storage;

/// <summary>How <c>MANAGER_STORAGE_TYPE=postgres</c> and <c>MANAGER_POSTGRES_*</c> reach the storage options.</summary>
public sealed class PostgresEnvironmentTests
{
    private static readonly Dictionary<string, string> Identity = new()
    {
        ["MANAGER_TENANT_ID"] = "tenant",
        ["MANAGER_CHANNEL_ID"] = "channel",
        ["MANAGER_ENTITY_ID"] = "entity",
        ["MANAGER_API_KEY"] = "key",
    };

    [Fact]
    public void FromEnvironment_PostgresWithoutSettings_UsesTheDocumentedDefaults()
    {
        var storage = Load(("MANAGER_STORAGE_TYPE", "postgres")).Storage;

        Assert.True(storage.Is(StorageOptions.PostgresType));
        Assert.Equal(("localhost", 5432, "propeller", "propeller", "propeller", "disable"),
            (storage.PostgresHost, storage.PostgresPort, storage.PostgresUser, storage.PostgresPassword, storage.PostgresDatabase, storage.PostgresSslMode));
    }

    [Fact]
    public void FromEnvironment_EveryPostgresVariable_ReachesStorageOptions()
    {
        var storage = Load(
            ("MANAGER_STORAGE_TYPE", "Postgres"),
            (ManagerEnvironment.PostgresHost, "db.internal"),
            (ManagerEnvironment.PostgresPort, "6543"),
            (ManagerEnvironment.PostgresUser, "fleet"),
            (ManagerEnvironment.PostgresPassword, " s3cret "),
            (ManagerEnvironment.PostgresDatabase, "propeller_prod"),
            (ManagerEnvironment.PostgresSslMode, "REQUIRE")).Storage;

        Assert.Equal(("db.internal", 6543, "fleet", " s3cret ", "propeller_prod", "require"),
            (storage.PostgresHost, storage.PostgresPort, storage.PostgresUser, storage.PostgresPassword, storage.PostgresDatabase, storage.PostgresSslMode));
    }

    [Theory]
    [InlineData("MANAGER_POSTGRES_PORT", "70000")]
    [InlineData("MANAGER_POSTGRES_SSLMODE", "always")]
    public void FromEnvironment_PostgresBadValue_NamesTheVariable(string variable, string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(("MANAGER_STORAGE_TYPE", "postgres"), (variable, value)));

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    private static ManagerOptions Load(params (string Name, string Value)[] extra)
    {
        var variables = new Dictionary<string, string>(Identity);
        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        return ManagerOptions.FromEnvironment(name => variables.GetValueOrDefault(name), "/nonexistent/config.toml");
    }
}
