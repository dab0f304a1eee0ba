using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Contracts.Api;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Tests.Scheduling;

/// <summary><c>requirements</c>, <c>retry</c> and <c>attempt</c> survive a save on the memory and SQLite stores.</summary>
public sealed class PlacementPersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("propeller-placement-").FullName;

    [Theory]
    [InlineData(StorageOptions.MemoryType)]
    [InlineData(StorageOptions.SqliteType)]
    public async Task CreateAndUpdate_PlacementFields_RoundTrip(string type)
    {
        var store = StoreFactory.Create(new StorageOptions { Type = type, SqlitePath = Path.Combine(_directory, $"{type}.db") }, NullLoggerFactory.Instance);
        await using var _ = store;
        await store.InitializeAsync(CancellationToken.None);
        var task = new PropellerTask
        {
            Id = Guid.NewGuid().ToString(),
            Name = "t",
            Requirements = new TaskRequirements { Tags = ["gpu", "lab"], MinMemoryBytes = ulong.MaxValue, CpuArch = "aarch64", WasmRuntime = "wasmtime-internal" },
            Retry = new TaskRetryPolicy { MaxAttempts = 4, BackoffMs = 300_000 },
            Attempt = 3,
        };

        await store.Tasks.CreateAsync(task, CancellationToken.None);
        task.Requirements.Tags.Add("changed after the save");
        var loaded = (await store.Tasks.GetAsync(task.Id, CancellationToken.None))!;

        Assert.Equal(["gpu", "lab"], loaded.Requirements!.Tags);
        Assert.Equal((ulong.MaxValue, "aarch64", "wasmtime-internal"), (loaded.Requirements.MinMemoryBytes, loaded.Requirements.CpuArch, loaded.Requirements.WasmRuntime));
        Assert.Equal((4, 300_000L), (loaded.Retry!.MaxAttempts, loaded.Retry.BackoffMs));
        Assert.Equal(3, loaded.Attempt);

        await store.Tasks.UpdateAsync(loaded with { Requirements = null, Retry = null, Attempt = 0 }, CancellationToken.None);
        var cleared = (await store.Tasks.GetAsync(task.Id, CancellationToken.None))!;
        Assert.Null(cleared.Requirements);
        Assert.Null(cleared.Retry);
        Assert.Equal(0, cleared.Attempt);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
