using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Manager.Storage;
using Propeller.Manager.Storage.Memory;
using Propeller.Manager.Storage.Sqlite;

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
    [InlineData("postgres")]
    [InlineData("badger")]
    [InlineData("")]
    public void Create_UnsupportedType_ThrowsNamingVariableAndSupportedTypes(string type)
    {
        var error = Assert.Throws<InvalidOperationException>(() => StoreFactory.Create(new StorageOptions { Type = type }, NullLoggerFactory.Instance));

        Assert.Contains("MANAGER_STORAGE_TYPE", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{type}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("memory, sqlite", error.Message, StringComparison.Ordinal);
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
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Type = "postgres" });

        Assert.True(result.Failed);
        Assert.Contains("MANAGER_STORAGE_TYPE 'postgres'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SupportedType_Succeeds()
    {
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions { Type = "sqlite", SqlitePath = "x.db" }).Succeeded);
    }
}
