using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Contracts.Messages;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;
using Propeller.Manager.Storage.Sqlite;

namespace Propeller.Manager.Tests.Storage;

/// <summary>The contract on a real SQLite file, plus what only a file-backed store can do: survive a restart.</summary>
public sealed class SqliteStoreTests : StoreContractTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "propeller-storage-tests", Guid.NewGuid().ToString("N"));

    // A directory that does not exist yet: the store must create it.
    private string DatabasePath => Path.Combine(_directory, "nested", "propeller.db");

    private protected override IPropellerStore CreateStore() => Open();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Reopen_SameFile_KeepsTasksPropletsMappingsAndMetrics()
    {
        var task = FullTask("t-persist");
        var proplet = FullProplet("p-persist") with { Offline = false };
        await Store.Tasks.CreateAsync(task, Ct);
        await Store.Proplets.CreateAsync(proplet, Ct);
        await Store.Proplets.RecordHeartbeatAsync("p-persist", proplet.AliveHistory[^1].AddSeconds(1), Ct);
        await Store.TaskProplets.UpsertAsync("t-persist", "p-persist", Ct);
        await Store.Metrics.AddTaskMetricsAsync(new TaskMetricsMessage { TaskId = "t-persist", PropletId = "p-persist", Timestamp = task.CreatedAt }, Ct);
        var expectedProplet = (await Store.Proplets.GetAsync("p-persist", Ct))!;
        await Store.DisposeAsync();

        await using var restarted = Open();
        await restarted.InitializeAsync(Ct);

        AssertTasksEqual(task, Assert.Single((await restarted.Tasks.ListAsync(TaskFilter.None, 0, 10, Ct)).Items));
        AssertPropletsEqual(expectedProplet, Assert.Single((await restarted.Proplets.ListAsync(null, DateTimeOffset.MinValue, 0, 10, Ct)).Items));
        Assert.Equal("p-persist", await restarted.TaskProplets.GetAsync("t-persist", Ct));
        Assert.Equal(1UL, (await restarted.Metrics.ListTaskMetricsAsync("t-persist", 0, 10, Ct)).Total);
    }

    [Fact]
    public async Task InitializeAsync_Twice_IsHarmlessAndRecordsEachMigrationOnce()
    {
        await Store.Tasks.CreateAsync(NewTask("t-keep", DateTimeOffset.UtcNow), Ct);

        await Store.InitializeAsync(Ct);
        await using (var second = Open())
        {
            await second.InitializeAsync(Ct);
        }

        Assert.NotNull(await Store.Tasks.GetAsync("t-keep", Ct));
        Assert.Equal(SqliteMigrations.Steps.Count, (int)(long)(await ScalarAsync("SELECT COUNT(*) FROM schema_version;"))!);
        Assert.Equal(SqliteMigrations.Steps.Count, (int)(long)(await ScalarAsync("SELECT MAX(version) FROM schema_version;"))!);
    }

    [Fact]
    public async Task InitializeAsync_FileInMissingDirectory_CreatesItInWalMode()
    {
        Assert.Equal("wal", await ScalarAsync("PRAGMA journal_mode;"));
        Assert.True(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task InitializeAsync_SchemaNewerThanManager_ThrowsNamingTheVersion()
    {
        await ScalarAsync("INSERT INTO schema_version (version, applied_at) VALUES (999, 'later');");

        await using var newer = Open();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => newer.InitializeAsync(Ct));

        Assert.Contains("999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordHeartbeat_EightConcurrentWritersOfHundredBeats_AllSucceed()
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 8).Select(i => $"writer-{i}").ToList();
        foreach (var id in ids)
        {
            await Store.Proplets.CreateAsync(new Proplet { Id = id, Name = id }, Ct);
        }

        await Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            for (var beat = 0; beat < 100; beat++)
            {
                await Store.Proplets.RecordHeartbeatAsync(id, start.AddSeconds(beat), Ct);
            }
        })));

        foreach (var id in ids)
        {
            var proplet = await Store.Proplets.GetAsync(id, Ct);
            Assert.Equal(Enumerable.Range(90, 10).Select(s => start.AddSeconds(s)), proplet!.AliveHistory);
        }
    }

    [Fact]
    public async Task RecordHeartbeat_BurstWithUnknownIds_StoresEveryKnownOneAndFailsOnlyTheUnknown()
    {
        // A burst is written in batches (one transaction each); an unknown id must fail alone, not its batch.
        var at = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var known = Enumerable.Range(0, 300).Select(i => $"burst-{i}").ToList();
        foreach (var id in known)
        {
            await Store.Proplets.CreateAsync(new Proplet { Id = id, Name = id }, Ct);
        }

        var beats = known.Select(id => (Id: id, Known: true))
            .Concat(Enumerable.Range(0, 20).Select(i => (Id: $"ghost-{i}", Known: false)))
            .OrderBy(b => b.Id.GetHashCode(StringComparison.Ordinal))
            .Select(async b =>
            {
                try
                {
                    await Store.Proplets.RecordHeartbeatAsync(b.Id, at, Ct);
                    return (b.Known, Stored: true);
                }
                catch (EntityNotFoundException)
                {
                    return (b.Known, Stored: false);
                }
            })
            .ToList();
        var outcomes = await Task.WhenAll(beats);

        Assert.All(outcomes, o => Assert.Equal(o.Known, o.Stored));
        foreach (var id in known)
        {
            Assert.Equal([at], (await Store.Proplets.GetAsync(id, Ct))!.AliveHistory);
        }
    }

    [Fact]
    public async Task AddTaskMetrics_Stored_RowHasUpstreamIdAndFixedWidthUtcTime()
    {
        await Store.Tasks.CreateAsync(NewTask("t-row", DateTimeOffset.UtcNow), Ct);
        var at = new DateTimeOffset(2025, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)).AddTicks(5);

        await Store.Metrics.AddTaskMetricsAsync(new TaskMetricsMessage { TaskId = "t-row", PropletId = "p", Timestamp = at }, Ct);

        Assert.Equal("t-row:1735689600000000500", await ScalarAsync("SELECT id FROM task_metrics;"));
        Assert.Equal("2025-01-01T00:00:00.0000005Z", await ScalarAsync("SELECT timestamp FROM task_metrics;"));
    }

    private SqliteStore Open() => new(DatabasePath, NullLogger<SqliteStore>.Instance);

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
