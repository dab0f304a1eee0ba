using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Manager.Storage;
using Propeller.Manager.Storage.Memory;
using Propeller.Manager.Storage.Postgres;
using Propeller.Manager.Storage.Sqlite;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Storage;

public sealed class StoreFactoryTests
{
    [Theory]
    [InlineData("memory")]
    [InlineData("Memory")]
    public async Task Create_MemoryType_ReturnsMemoryStore(string type)
    {
        await using var store = StoreFactory.Create(new StorageOptions { Type = type }, NullLoggerFactory.Instance);

        Assert.IsType<MemoryStore>(store);
    }

    [Fact]
    public async Task Create_DefaultOptions_ReturnsMemoryStore()
    {
        await using var store = StoreFactory.Create(new StorageOptions(), NullLoggerFactory.Instance);

        Assert.IsType<MemoryStore>(store);
    }

    [Fact]
    public async Task Create_SqliteType_OpensStoreAtPath()
    {
        var directory = Path.Combine(Path.GetTempPath(), "propeller-storage-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "factory.db");
        try
        {
            await using (var store = StoreFactory.Create(new StorageOptions { Type = " SQLite ", SqlitePath = path }, NullLoggerFactory.Instance))
            {
                Assert.IsType<SqliteStore>(store);
                await store.InitializeAsync(CancellationToken.None);
            }

            Assert.True(File.Exists(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("badger")]
    [InlineData("")]
    public void Create_UnsupportedType_ThrowsNamingVariableAndSupportedTypes(string type)
    {
        var error = Assert.Throws<InvalidOperationException>(() => StoreFactory.Create(new StorageOptions { Type = type }, NullLoggerFactory.Instance));

        Assert.Contains("MANAGER_STORAGE_TYPE", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{type}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("memory, sqlite, postgres", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_SqliteWithoutPath_ThrowsNamingPathVariable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StoreFactory.Create(new StorageOptions { Type = "sqlite", SqlitePath = " " }, NullLoggerFactory.Instance));

        Assert.Contains("MANAGER_SQLITE_PATH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnsupportedType_FailsWithTheSameMessage()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Type = "badger" });

        Assert.True(result.Failed);
        Assert.Contains("MANAGER_STORAGE_TYPE 'badger'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData(" PostgreS ")]
    public async Task Create_PostgresType_ReturnsPostgresStoreWithoutConnecting(string type)
    {
        // Building the store opens no connection: nothing listens on this port, and creation still succeeds.
        await using var store = StoreFactory.Create(new StorageOptions { Type = type, PostgresPort = FreePort.Next() }, NullLoggerFactory.Instance);

        Assert.IsType<PostgresStore>(store);
    }

    [Fact]
    public async Task InitializeAsync_PostgresNotListening_FailsNamingHostPortDatabaseAndVariables()
    {
        var port = FreePort.Next();
        await using var store = StoreFactory.Create(
            new StorageOptions { Type = "postgres", PostgresHost = "127.0.0.1", PostgresPort = port, PostgresDatabase = "fleet" }, NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}/fleet", error.Message, StringComparison.Ordinal);
        Assert.Contains("MANAGER_POSTGRES_HOST", error.Message, StringComparison.Ordinal);
        Assert.Contains("MANAGER_POSTGRES_PORT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PostgresDefaults_Succeed()
    {
        var options = new StorageOptions { Type = "postgres" };

        Assert.True(new StorageOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(("localhost", 5432, "propeller", "propeller", "propeller", "disable"),
            (options.PostgresHost, options.PostgresPort, options.PostgresUser, options.PostgresPassword, options.PostgresDatabase, options.PostgresSslMode));
    }

    [Theory]
    [InlineData("host", " ", "MANAGER_POSTGRES_HOST")]
    [InlineData("port", "0", "MANAGER_POSTGRES_PORT")]
    [InlineData("port", "65536", "MANAGER_POSTGRES_PORT")]
    [InlineData("user", "", "MANAGER_POSTGRES_USER")]
    [InlineData("db", " ", "MANAGER_POSTGRES_DB")]
    [InlineData("sslmode", "sometimes", "MANAGER_POSTGRES_SSLMODE")]
    public void Create_PostgresBadSetting_ThrowsNamingTheVariable(string setting, string value, string variable)
    {
        var options = setting switch
        {
            "host" => new StorageOptions { Type = "postgres", PostgresHost = value },
            "port" => new StorageOptions { Type = "postgres", PostgresPort = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            "user" => new StorageOptions { Type = "postgres", PostgresUser = value },
            "db" => new StorageOptions { Type = "postgres", PostgresDatabase = value },
            _ => new StorageOptions { Type = "postgres", PostgresSslMode = value },
        };

        var error = Assert.Throws<InvalidOperationException>(() => StoreFactory.Create(options, NullLoggerFactory.Instance));

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("prefer")]
    [InlineData("require")]
    [InlineData("VERIFY-FULL")]
    public void Validate_PostgresKnownSslMode_Succeeds(string mode)
    {
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions { Type = "postgres", PostgresSslMode = mode }).Succeeded);
    }

    [Fact]
    public void Validate_SupportedType_Succeeds()
    {
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions { Type = "sqlite", SqlitePath = "x.db" }).Succeeded);
    }
}
