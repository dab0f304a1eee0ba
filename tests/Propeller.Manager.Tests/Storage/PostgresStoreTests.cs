using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Propeller.Contracts.Messages;
using Propeller.Manager.Jobs;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;
using Propeller.Manager.Storage.Postgres;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Tests.Storage;

/// <summary>
/// The contract on a real PostgreSQL 15 server (one per class, a fresh database per test), plus what only a shared
/// server database can do: survive a restart, and be initialised by several managers at once.
/// </summary>
public sealed class PostgresStoreTests(PostgresServerFixture postgres) : StoreContractTests, IClassFixture<PostgresServerFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private string? _database;

    private string Database => _database ?? throw new InvalidOperationException("no database yet");

    private protected override async Task PrepareAsync() => _database = await postgres.Server.CreateDatabaseAsync("contract");

    private protected override IPropellerStore CreateStore() => Open();

    [Fact]
    public async Task Reopen_SameDatabase_KeepsTasksPropletsMappingsMetricsAndJobs()
    {
        var task = FullTask("t-persist");
        var proplet = FullProplet("p-persist") with { Offline = false };
        await Store.Tasks.CreateAsync(task, Ct);
        await Store.Proplets.CreateAsync(proplet, Ct);
        await Store.Proplets.RecordHeartbeatAsync("p-persist", proplet.AliveHistory[^1].AddSeconds(1), Ct);
        await Store.TaskProplets.UpsertAsync("t-persist", "p-persist", Ct);
        await Store.Metrics.AddTaskMetricsAsync(new TaskMetricsMessage { TaskId = "t-persist", PropletId = "p-persist", Timestamp = task.CreatedAt }, Ct);
        await Store.Jobs.CreateAsync(new JobRecord { Id = "job-persist", Name = "kept", ExecutionMode = "sequential", CreatedAt = task.CreatedAt, UpdatedAt = task.UpdatedAt }, Ct);
        var expectedProplet = (await Store.Proplets.GetAsync("p-persist", Ct))!;
        await Store.DisposeAsync();

        await using var restarted = Open();
        await restarted.InitializeAsync(Ct);

        AssertTasksEqual(task, Assert.Single((await restarted.Tasks.ListAsync(TaskFilter.None, 0, 10, Ct)).Items));
        AssertPropletsEqual(expectedProplet, Assert.Single((await restarted.Proplets.ListAsync(null, DateTimeOffset.MinValue, 0, 10, Ct)).Items));
        Assert.Equal("p-persist", await restarted.TaskProplets.GetAsync("t-persist", Ct));
        Assert.Equal(1UL, (await restarted.Metrics.ListTaskMetricsAsync("t-persist", 0, 10, Ct)).Total);
        Assert.Equal("kept", (await restarted.Jobs.GetAsync("job-persist", Ct))!.Name);
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
        Assert.Equal(PostgresMigrations.Steps.Count, Convert.ToInt32(await ScalarAsync("SELECT COUNT(*) FROM schema_version;"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(PostgresMigrations.Steps.Count, Convert.ToInt32(await ScalarAsync("SELECT MAX(version) FROM schema_version;"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task InitializeAsync_FourStoresAtOnceOnFreshDatabase_AllSucceedAndSchemaAppliedOnce()
    {
        var fresh = await postgres.Server.CreateDatabaseAsync("concurrent");
        var stores = Enumerable.Range(0, 4).Select(_ => Open(fresh)).ToList();
        try
        {
            // The advisory lock makes the others wait while the first creates the schema; none may fail.
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync(Ct))));

            await stores[0].Tasks.CreateAsync(NewTask("t-shared", DateTimeOffset.UtcNow), Ct);
            Assert.NotNull(await stores[3].Tasks.GetAsync("t-shared", Ct));
            Assert.Equal(PostgresMigrations.Steps.Count, Convert.ToInt32(await ScalarAsync("SELECT COUNT(*) FROM schema_version;", fresh), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task InitializeAsync_SchemaNewerThanManager_ThrowsNamingTheVersion()
    {
        await ScalarAsync("INSERT INTO schema_version (version, applied_at) VALUES (999, 'later');");

        await using var newer = Open();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => newer.InitializeAsync(Ct));

        Assert.Contains("999", error.Message, StringComparison.Ordinal);
        Assert.Contains(Database, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeAsync_UnknownDatabase_ThrowsNamingHostPortAndDatabase()
    {
        await using var missing = Open("no_such_database");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => missing.InitializeAsync(Ct));

        Assert.Contains($"127.0.0.1:{postgres.Server.Port}/no_such_database", error.Message, StringComparison.Ordinal);
        Assert.Contains("MANAGER_POSTGRES_DB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_MetadataHasGinIndexAndTimesAreFixedWidthUtcText()
    {
        var at = new DateTimeOffset(2025, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)).AddTicks(5);
        await Store.Tasks.CreateAsync(NewTask("t-row", at), Ct);

        Assert.Equal("gin", await ScalarAsync("SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE c.relname = 'idx_tasks_metadata';"));
        Assert.Equal("2025-01-01T00:00:00.0000005Z", await ScalarAsync("SELECT created_at FROM tasks WHERE id = 't-row';"));
        Assert.Equal("jsonb", await ScalarAsync("SELECT data_type FROM information_schema.columns WHERE table_name = 'tasks' AND column_name = 'metadata';"));
    }

    [Fact]
    public async Task TaskList_MetadataFilter_UsesTheGinIndexWhenSeqScanIsOff()
    {
        await Store.Tasks.CreateAsync(NewTask("t-gin", DateTimeOffset.UtcNow, """{"env":"prod"}"""), Ct);

        await using var connection = new NpgsqlConnection(postgres.Server.ConnectionString(Database));
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off;", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand("""EXPLAIN SELECT id FROM tasks WHERE tasks.metadata @> '{"env":"prod"}'::jsonb;""", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.Contains(plan, line => line.Contains("idx_tasks_metadata", StringComparison.Ordinal));
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
    public async Task RecordHeartbeat_ConcurrentBeatsOnOneProplet_NoneLost()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-hot", Name = "hot" }, Ct);
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => Store.Proplets.RecordHeartbeatAsync("p-hot", start.AddSeconds(i), Ct))));

        var history = (await Store.Proplets.GetAsync("p-hot", Ct))!.AliveHistory;
        Assert.Equal(Enumerable.Range(0, 10).Select(s => start.AddSeconds(s)), history.Order());
    }

    [Fact]
    public async Task PropletAdjustTaskCount_HugeDelta_ClampsInsteadOfOverflowing()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-big", Name = "big", TaskCount = 5 }, Ct);

        Assert.Equal((ulong)long.MaxValue, await Store.Proplets.AdjustTaskCountAsync("p-big", long.MaxValue, Ct));
        Assert.Equal(0UL, await Store.Proplets.AdjustTaskCountAsync("p-big", long.MinValue, Ct));
    }

    [Fact]
    public async Task TaskCreate_NulCharacterInText_ThrowsInvalidDataAndStoresNothing()
    {
        // PostgreSQL text and JSONB cannot hold U+0000; the caller gets a clear refusal (the API answers 400).
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Store.Tasks.CreateAsync(new PropellerTask { Id = "t-nul", Name = "a\0b" }, Ct));
        await Assert.ThrowsAsync<InvalidDataException>(() => Store.Tasks.CreateAsync(NewTask("t-nul-meta", DateTimeOffset.UtcNow, """{"k":"a\u0000b"}"""), Ct));

        Assert.Contains("U+0000", error.Message, StringComparison.Ordinal);
        Assert.Null(await Store.Tasks.GetAsync("t-nul", Ct));
        Assert.Null(await Store.Tasks.GetAsync("t-nul-meta", Ct));
    }

    [Fact]
    public async Task TaskList_MetadataFilterWithNulCharacter_MatchesNothing()
    {
        await Store.Tasks.CreateAsync(NewTask("t-plain", DateTimeOffset.UtcNow, """{"k":"ab"}"""), Ct);

        var page = await Store.Tasks.ListAsync(new TaskFilter(new Dictionary<string, System.Text.Json.JsonElement>
        {
            ["k"] = System.Text.Json.JsonSerializer.SerializeToElement("a\0b"),
        }), 0, 10, Ct);

        Assert.Empty(page.Items);
        Assert.Equal(0UL, page.Total);
    }

    private PostgresStore Open(string? database = null) => new(postgres.OptionsFor(database ?? Database), NullLogger<PostgresStore>.Instance);

    private async Task<object?> ScalarAsync(string sql, string? database = null)
    {
        await using var connection = new NpgsqlConnection(postgres.Server.ConnectionString(database ?? Database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
