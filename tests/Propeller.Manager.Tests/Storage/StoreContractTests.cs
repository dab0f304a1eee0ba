using System.Text.Json;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Jobs;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Tests.Storage;

/// <summary>
/// The behaviour every storage backend must have. Each backend's test class only says how to build its store,
/// so the same tests run on all of them.
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_567);

    private IPropellerStore? _store;

    private protected IPropellerStore Store => _store ?? throw new InvalidOperationException("store not initialised");

    public async Task InitializeAsync()
    {
        await PrepareAsync();
        _store = CreateStore();
        await _store.InitializeAsync(Ct);
    }

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private protected abstract IPropellerStore CreateStore();

    /// <summary>Runs before <see cref="CreateStore"/>, e.g. to create the empty database a test gets.</summary>
    private protected virtual Task PrepareAsync() => Task.CompletedTask;

    // ---- tasks ----

    [Fact]
    public async Task TaskCreate_EveryFieldSet_GetReturnsEqualTask()
    {
        var task = FullTask("t-full");

        await Store.Tasks.CreateAsync(task, Ct);
        var loaded = await Store.Tasks.GetAsync("t-full", Ct);

        AssertTasksEqual(task, loaded);
    }

    [Fact]
    public async Task TaskCreate_MinimalTask_GetKeepsNullsAndUnsetTimes()
    {
        var task = new PropellerTask { Id = "t-min", Name = "min" };

        await Store.Tasks.CreateAsync(task, Ct);
        var loaded = await Store.Tasks.GetAsync("t-min", Ct);

        AssertTasksEqual(task, loaded);
        Assert.Null(loaded!.CliArgs);
        Assert.Null(loaded.Results);
        Assert.Null(loaded.Metadata);
        Assert.Equal(DateTimeOffset.MinValue, loaded.NextRun);
    }

    [Fact]
    public async Task TaskCreate_EmptyCollections_StayEmptyNotNull()
    {
        var task = new PropellerTask { Id = "t-empty", Name = "empty", CliArgs = [], Inputs = [], Env = new Dictionary<string, string>(), Metadata = new Dictionary<string, JsonElement>() };

        await Store.Tasks.CreateAsync(task, Ct);
        var loaded = await Store.Tasks.GetAsync("t-empty", Ct);

        Assert.NotNull(loaded!.CliArgs);
        Assert.Empty(loaded.CliArgs);
        Assert.NotNull(loaded.Inputs);
        Assert.Empty(loaded.Env!);
        Assert.Empty(loaded.Metadata!);
    }

    [Fact]
    public async Task TaskCreate_CallerMutatesFileAfterwards_StoredBytesUnchanged()
    {
        var bytes = new byte[] { 0, 97, 115, 109 };
        await Store.Tasks.CreateAsync(new PropellerTask { Id = "t-bytes", Name = "bytes", File = bytes }, Ct);

        bytes[1] = 0xFF;
        var loaded = await Store.Tasks.GetAsync("t-bytes", Ct);

        Assert.Equal(new byte[] { 0, 97, 115, 109 }, loaded!.File);
    }

    [Fact]
    public async Task TaskCreate_DuplicateId_ThrowsConflictAndKeepsFirst()
    {
        await Store.Tasks.CreateAsync(new PropellerTask { Id = "t-dup", Name = "first" }, Ct);

        await Assert.ThrowsAsync<EntityConflictException>(() => Store.Tasks.CreateAsync(new PropellerTask { Id = "t-dup", Name = "second" }, Ct));

        Assert.Equal("first", (await Store.Tasks.GetAsync("t-dup", Ct))!.Name);
    }

    [Fact]
    public async Task TaskGet_UnknownId_ReturnsNull()
    {
        Assert.Null(await Store.Tasks.GetAsync("nope", Ct));
    }

    [Fact]
    public async Task TaskUpdate_Existing_ReplacesEveryField()
    {
        await Store.Tasks.CreateAsync(FullTask("t-upd"), Ct);
        var replacement = new PropellerTask
        {
            Id = "t-upd",
            Name = "renamed",
            State = TaskState.Failed,
            Error = "boom",
            Results = Parse("[1,2,3]"),
            FinishTime = T0.AddHours(1),
            UpdatedAt = T0.AddHours(1),
            Schedule = "",
            Priority = 7,
        };

        await Store.Tasks.UpdateAsync(replacement, Ct);
        var loaded = await Store.Tasks.GetAsync("t-upd", Ct);

        AssertTasksEqual(replacement, loaded);
        Assert.Null(loaded!.File);
        Assert.Null(loaded.Metadata);
    }

    [Fact]
    public async Task TaskUpdate_UnknownId_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.Tasks.UpdateAsync(new PropellerTask { Id = "nope", Name = "x" }, Ct));
    }

    [Fact]
    public async Task TaskDelete_Existing_ReturnsTrueAndGetReturnsNull()
    {
        await Store.Tasks.CreateAsync(new PropellerTask { Id = "t-del", Name = "del" }, Ct);

        Assert.True(await Store.Tasks.DeleteAsync("t-del", Ct));

        Assert.Null(await Store.Tasks.GetAsync("t-del", Ct));
        Assert.False(await Store.Tasks.DeleteAsync("t-del", Ct));
    }

    [Fact]
    public async Task TaskDelete_UnknownId_ReturnsFalse()
    {
        Assert.False(await Store.Tasks.DeleteAsync("nope", Ct));
    }

    [Fact]
    public async Task TaskList_NoFilter_NewestFirstThenById()
    {
        await Store.Tasks.CreateAsync(NewTask("b", T0), Ct);
        await Store.Tasks.CreateAsync(NewTask("c", T0.AddTicks(1)), Ct);
        await Store.Tasks.CreateAsync(NewTask("a", T0), Ct);
        await Store.Tasks.CreateAsync(NewTask("d", T0.AddDays(-1)), Ct);

        var page = await Store.Tasks.ListAsync(TaskFilter.None, 0, 100, Ct);

        Assert.Equal(["c", "a", "b", "d"], page.Items.Select(t => t.Id));
        Assert.Equal(4UL, page.Total);
    }

    [Fact]
    public async Task TaskList_Paged_TotalCountsAllAndPagesFollowOrder()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.Tasks.CreateAsync(NewTask($"t{i}", T0.AddSeconds(i)), Ct);
        }

        var first = await Store.Tasks.ListAsync(TaskFilter.None, 0, 2, Ct);
        var second = await Store.Tasks.ListAsync(TaskFilter.None, 2, 2, Ct);
        var beyond = await Store.Tasks.ListAsync(TaskFilter.None, 10, 2, Ct);
        var unbounded = await Store.Tasks.ListAsync(TaskFilter.None, 1, ulong.MaxValue, Ct);

        Assert.Equal(["t4", "t3"], first.Items.Select(t => t.Id));
        Assert.Equal(["t2", "t1"], second.Items.Select(t => t.Id));
        Assert.Empty(beyond.Items);
        Assert.Equal(["t3", "t2", "t1", "t0"], unbounded.Items.Select(t => t.Id));
        Assert.All([first, second, beyond, unbounded], p => Assert.Equal(5UL, p.Total));
    }

    [Fact]
    public async Task TaskList_MetadataFilter_EveryKeyMustMatch()
    {
        await Store.Tasks.CreateAsync(NewTask("prod-eu", T0, """{"env":"prod","region":"eu"}"""), Ct);
        await Store.Tasks.CreateAsync(NewTask("prod-us", T0.AddSeconds(1), """{"env":"prod","region":"us"}"""), Ct);
        await Store.Tasks.CreateAsync(NewTask("dev-eu", T0.AddSeconds(2), """{"env":"dev","region":"eu"}"""), Ct);
        await Store.Tasks.CreateAsync(NewTask("bare", T0.AddSeconds(3)), Ct);

        var prod = await Store.Tasks.ListAsync(Filter("""{"env":"prod"}"""), 0, 100, Ct);
        var prodEu = await Store.Tasks.ListAsync(Filter("""{"env":"prod","region":"eu"}"""), 0, 100, Ct);
        var none = await Store.Tasks.ListAsync(Filter("""{"env":"prod","region":"asia"}"""), 0, 100, Ct);
        var empty = await Store.Tasks.ListAsync(Filter("{}"), 0, 100, Ct);

        Assert.Equal(["prod-us", "prod-eu"], prod.Items.Select(t => t.Id));
        Assert.Equal(2UL, prod.Total);
        Assert.Equal(["prod-eu"], prodEu.Items.Select(t => t.Id));
        Assert.Empty(none.Items);
        Assert.Equal(0UL, none.Total);
        Assert.Equal(4UL, empty.Total);
    }

    [Fact]
    public async Task TaskList_MetadataFilterWithPaging_TotalCountsOnlyMatches()
    {
        for (var i = 0; i < 4; i++)
        {
            await Store.Tasks.CreateAsync(NewTask($"m{i}", T0.AddSeconds(i), i % 2 == 0 ? """{"team":"a"}""" : """{"team":"b"}"""), Ct);
        }

        var page = await Store.Tasks.ListAsync(Filter("""{"team":"a"}"""), 1, 10, Ct);

        Assert.Equal(["m0"], page.Items.Select(t => t.Id));
        Assert.Equal(2UL, page.Total);
    }

    [Fact]
    public async Task TaskList_MetadataFilterNumber_MatchesEqualNumbersOnly()
    {
        await Store.Tasks.CreateAsync(NewTask("int", T0, """{"n":5}"""), Ct);
        await Store.Tasks.CreateAsync(NewTask("real", T0.AddSeconds(1), """{"n":5.0}"""), Ct);
        await Store.Tasks.CreateAsync(NewTask("text", T0.AddSeconds(2), """{"n":"5"}"""), Ct);
        await Store.Tasks.CreateAsync(NewTask("other", T0.AddSeconds(3), """{"n":6}"""), Ct);
        await Store.Tasks.CreateAsync(NewTask("half", T0.AddSeconds(4), """{"n":2.5}"""), Ct);

        var five = await Store.Tasks.ListAsync(Filter("""{"n":5}"""), 0, 100, Ct);
        var fiveText = await Store.Tasks.ListAsync(Filter("""{"n":"5"}"""), 0, 100, Ct);
        var half = await Store.Tasks.ListAsync(Filter("""{"n":25e-1}"""), 0, 100, Ct);

        Assert.Equal(["real", "int"], five.Items.Select(t => t.Id));
        Assert.Equal(["text"], fiveText.Items.Select(t => t.Id));
        Assert.Equal(["half"], half.Items.Select(t => t.Id));
    }

    [Fact]
    public async Task TaskList_MetadataFilterKeyWithQuoteOrDot_MatchesThatExactKey()
    {
        await Store.Tasks.CreateAsync(NewTask("quoted", T0, """{"say \"hi\"":"yes","a.b":"dot","x'); DROP TABLE tasks; --":"sql"}"""), Ct);
        await Store.Tasks.CreateAsync(NewTask("nested", T0.AddSeconds(1), """{"a":{"b":"dot"}}"""), Ct);

        var quote = await Store.Tasks.ListAsync(Filter("""{"say \"hi\"":"yes"}"""), 0, 100, Ct);
        var dot = await Store.Tasks.ListAsync(Filter("""{"a.b":"dot"}"""), 0, 100, Ct);
        var injection = await Store.Tasks.ListAsync(Filter("""{"x'); DROP TABLE tasks; --":"sql"}"""), 0, 100, Ct);

        Assert.Equal(["quoted"], quote.Items.Select(t => t.Id));
        Assert.Equal(["quoted"], dot.Items.Select(t => t.Id));
        Assert.Equal(["quoted"], injection.Items.Select(t => t.Id));
        Assert.Equal(2UL, (await Store.Tasks.ListAsync(TaskFilter.None, 0, 100, Ct)).Total);
    }

    [Fact]
    public async Task TaskList_MetadataFilterBooleanNullAndObject_MatchSameKindAndValue()
    {
        await Store.Tasks.CreateAsync(NewTask("typed", T0, """{"gpu":true,"owner":null,"shape":{"w":2,"tags":["x"]}}"""), Ct);
        await Store.Tasks.CreateAsync(NewTask("strings", T0.AddSeconds(1), """{"gpu":"true","owner":"null"}"""), Ct);

        Assert.Equal(["typed"], (await Store.Tasks.ListAsync(Filter("""{"gpu":true}"""), 0, 100, Ct)).Items.Select(t => t.Id));
        Assert.Empty((await Store.Tasks.ListAsync(Filter("""{"gpu":false}"""), 0, 100, Ct)).Items);
        Assert.Equal(["typed"], (await Store.Tasks.ListAsync(Filter("""{"owner":null}"""), 0, 100, Ct)).Items.Select(t => t.Id));
        Assert.Equal(["typed"], (await Store.Tasks.ListAsync(Filter("""{ "shape" : { "w" : 2, "tags" : [ "x" ] } }"""), 0, 100, Ct)).Items.Select(t => t.Id));
        Assert.Empty((await Store.Tasks.ListAsync(Filter("""{"shape":{"w":3,"tags":["x"]}}"""), 0, 100, Ct)).Items);
    }

    [Fact]
    public async Task TaskListByState_SomeStates_ReturnsOnlyThose()
    {
        await Store.Tasks.CreateAsync(NewTask("p", T0) with { State = TaskState.Pending }, Ct);
        await Store.Tasks.CreateAsync(NewTask("r", T0.AddSeconds(1)) with { State = TaskState.Running }, Ct);
        await Store.Tasks.CreateAsync(NewTask("i", T0.AddSeconds(2)) with { State = TaskState.Interrupted }, Ct);
        await Store.Tasks.CreateAsync(NewTask("c", T0.AddSeconds(3)) with { State = TaskState.Completed }, Ct);

        var active = await Store.Tasks.ListByStateAsync([TaskState.Running, TaskState.Interrupted], Ct);
        var none = await Store.Tasks.ListByStateAsync([], Ct);

        Assert.Equal(["i", "r"], active.Select(t => t.Id));
        Assert.Empty(none);
    }

    [Fact]
    public async Task TaskListByWorkflowAndJob_ReturnsOnlyTheirTasks()
    {
        await Store.Tasks.CreateAsync(NewTask("w1", T0) with { WorkflowId = "wf" }, Ct);
        await Store.Tasks.CreateAsync(NewTask("w2", T0.AddSeconds(1)) with { WorkflowId = "wf" }, Ct);
        await Store.Tasks.CreateAsync(NewTask("j1", T0.AddSeconds(2)) with { JobId = "job" }, Ct);
        await Store.Tasks.CreateAsync(NewTask("other", T0.AddSeconds(3)) with { WorkflowId = "wf2", JobId = "job2" }, Ct);

        var workflow = await Store.Tasks.ListByWorkflowAsync("wf", Ct);
        var job = await Store.Tasks.ListByJobAsync("job", Ct);
        var unknown = await Store.Tasks.ListByJobAsync("missing", Ct);

        Assert.Equal(["w2", "w1"], workflow.Select(t => t.Id));
        Assert.Equal(["j1"], job.Select(t => t.Id));
        Assert.Empty(unknown);
    }

    // ---- proplets ----

    [Fact]
    public async Task PropletCreate_EveryFieldSet_GetReturnsEqualProplet()
    {
        var proplet = FullProplet("p-full");

        await Store.Proplets.CreateAsync(proplet, Ct);
        var loaded = await Store.Proplets.GetAsync("p-full", Ct);

        AssertPropletsEqual(proplet, loaded);
    }

    [Fact]
    public async Task PropletCreate_DuplicateId_ThrowsConflict()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-dup", Name = "first" }, Ct);

        await Assert.ThrowsAsync<EntityConflictException>(() => Store.Proplets.CreateAsync(new Proplet { Id = "p-dup", Name = "second" }, Ct));

        Assert.Equal("first", (await Store.Proplets.GetAsync("p-dup", Ct))!.Name);
    }

    [Fact]
    public async Task PropletGet_UnknownId_ReturnsNull()
    {
        Assert.Null(await Store.Proplets.GetAsync("nope", Ct));
    }

    [Fact]
    public async Task PropletUpdate_Existing_ReplacesEveryField()
    {
        await Store.Proplets.CreateAsync(FullProplet("p-upd"), Ct);
        var replacement = new Proplet { Id = "p-upd", Name = "renamed", TaskCount = 1, AliveHistory = [T0.AddMinutes(5)] };

        await Store.Proplets.UpdateAsync(replacement, Ct);
        var loaded = await Store.Proplets.GetAsync("p-upd", Ct);

        AssertPropletsEqual(replacement, loaded);
    }

    [Fact]
    public async Task PropletUpdate_UnknownId_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.Proplets.UpdateAsync(new Proplet { Id = "nope", Name = "x" }, Ct));
    }

    [Fact]
    public async Task PropletUpdateMetadata_Existing_ReplacesOnlyMetadata()
    {
        var original = FullProplet("p-meta");
        await Store.Proplets.CreateAsync(original, Ct);
        var metadata = new PropletMetadata { Hostname = "edge-2", TotalMemoryBytes = 1024, Tags = ["new"] };

        await Store.Proplets.UpdateMetadataAsync("p-meta", metadata, Ct);
        var loaded = await Store.Proplets.GetAsync("p-meta", Ct);

        AssertPropletsEqual(original with { Metadata = metadata }, loaded);
    }

    [Fact]
    public async Task PropletUpdateMetadata_Null_ClearsMetadata()
    {
        await Store.Proplets.CreateAsync(FullProplet("p-meta-null"), Ct);

        await Store.Proplets.UpdateMetadataAsync("p-meta-null", null, Ct);

        Assert.Null((await Store.Proplets.GetAsync("p-meta-null", Ct))!.Metadata);
    }

    [Fact]
    public async Task PropletUpdateMetadata_UnknownId_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.Proplets.UpdateMetadataAsync("nope", new PropletMetadata(), Ct));
    }

    [Fact]
    public async Task PropletRecordHeartbeat_TwelveBeats_KeepsLastTenOldestFirst()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-hb", Name = "hb" }, Ct);
        var beats = Enumerable.Range(0, 12).Select(i => T0.AddMilliseconds(i * 1500.5)).ToList();

        foreach (var beat in beats)
        {
            await Store.Proplets.RecordHeartbeatAsync("p-hb", beat, Ct);
        }

        var loaded = await Store.Proplets.GetAsync("p-hb", Ct);
        Assert.Equal(beats.Skip(2), loaded!.AliveHistory);
        Assert.Equal(beats[^1], loaded.LastAliveAt);
    }

    [Fact]
    public async Task PropletRecordHeartbeat_UnknownId_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.Proplets.RecordHeartbeatAsync("nope", T0, Ct));
    }

    [Fact]
    public async Task PropletMarkOffline_ThenHeartbeat_SetsThenClearsFlag()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-off", Name = "off" }, Ct);
        await Store.Proplets.RecordHeartbeatAsync("p-off", T0, Ct);

        await Store.Proplets.MarkOfflineAsync("p-off", Ct);
        var offline = await Store.Proplets.GetAsync("p-off", Ct);
        await Store.Proplets.RecordHeartbeatAsync("p-off", T0.AddSeconds(1), Ct);
        var back = await Store.Proplets.GetAsync("p-off", Ct);

        Assert.True(offline!.Offline);
        Assert.Equal([T0], offline.AliveHistory);
        Assert.False(back!.Offline);
        Assert.Equal([T0, T0.AddSeconds(1)], back.AliveHistory);
    }

    [Fact]
    public async Task PropletMarkOffline_UnknownId_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.Proplets.MarkOfflineAsync("nope", Ct));
    }

    [Fact]
    public async Task PropletAdjustTaskCount_BelowZero_StopsAtZero()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-count", Name = "count" }, Ct);

        var up = await Store.Proplets.AdjustTaskCountAsync("p-count", 3, Ct);
        var floored = await Store.Proplets.AdjustTaskCountAsync("p-count", -5, Ct);
        var again = await Store.Proplets.AdjustTaskCountAsync("p-count", 2, Ct);

        Assert.Equal(3UL, up);
        Assert.Equal(0UL, floored);
        Assert.Equal(2UL, again);
        Assert.Equal(2UL, (await Store.Proplets.GetAsync("p-count", Ct))!.TaskCount);
    }

    [Fact]
    public async Task PropletAdjustTaskCount_200ConcurrentAdjustments_NoneLost()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-conc", Name = "conc", TaskCount = 1000 }, Ct);

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => Store.Proplets.AdjustTaskCountAsync("p-conc", i % 2 == 0 ? 3 : -2, Ct))));

        Assert.Equal(1100UL, (await Store.Proplets.GetAsync("p-conc", Ct))!.TaskCount);
    }

    [Fact]
    public async Task PropletAdjustTaskCount_ConcurrentDecrementsPastZero_EndAtZero()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-floor", Name = "floor", TaskCount = 50 }, Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            Task.Run(() => Store.Proplets.AdjustTaskCountAsync("p-floor", -1, Ct))));

        Assert.Equal(0UL, (await Store.Proplets.GetAsync("p-floor", Ct))!.TaskCount);
        Assert.Equal(Enumerable.Range(1, 49).Select(i => (ulong)i), results.Where(r => r > 0).Order());
        Assert.Equal(151, results.Count(r => r == 0));
    }

    [Fact]
    public async Task PropletAdjustTaskCount_UnknownId_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.Proplets.AdjustTaskCountAsync("nope", 1, Ct));
    }

    [Fact]
    public async Task PropletList_ByLiveness_SplitsActiveFromTheRest()
    {
        var now = DateTimeOffset.UtcNow;
        await CreatePropletWithBeat("p1-2s", now.AddSeconds(-2));
        await CreatePropletWithBeat("p2-1s", now.AddSeconds(-1));
        await CreatePropletWithBeat("p3-11s", now.AddSeconds(-11));
        await Store.Proplets.CreateAsync(new Proplet { Id = "p4-never", Name = "never" }, Ct);
        await CreatePropletWithBeat("p5-offline", now.AddSeconds(-1));
        await Store.Proplets.MarkOfflineAsync("p5-offline", Ct);
        var since = now - Proplet.LivenessWindow;

        var active = await Store.Proplets.ListAsync(true, since, 0, 100, Ct);
        var inactive = await Store.Proplets.ListAsync(false, since, 0, 100, Ct);
        var all = await Store.Proplets.ListAsync(null, since, 0, 100, Ct);

        Assert.Equal(["p1-2s", "p2-1s"], active.Items.Select(p => p.Id));
        Assert.Equal(2UL, active.Total);
        Assert.Equal(["p3-11s", "p4-never", "p5-offline"], inactive.Items.Select(p => p.Id));
        Assert.Equal(3UL, inactive.Total);
        Assert.Equal(["p1-2s", "p2-1s", "p3-11s", "p4-never", "p5-offline"], all.Items.Select(p => p.Id));
    }

    [Fact]
    public async Task PropletList_HeartbeatExactlyAtSince_CountsAsActive()
    {
        await CreatePropletWithBeat("edge", T0);

        var active = await Store.Proplets.ListAsync(true, T0, 0, 10, Ct);
        var tickLater = await Store.Proplets.ListAsync(true, T0.AddTicks(1), 0, 10, Ct);

        Assert.Equal(["edge"], active.Items.Select(p => p.Id));
        Assert.Empty(tickLater.Items);
    }

    [Fact]
    public async Task PropletList_PagedByLiveness_TotalCountsAllMatches()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 5; i++)
        {
            await CreatePropletWithBeat($"live{i}", now.AddSeconds(-1));
            await CreatePropletWithBeat($"dead{i}", now.AddMinutes(-1));
        }

        var since = now - Proplet.LivenessWindow;
        var active = await Store.Proplets.ListAsync(true, since, 1, 2, Ct);
        var inactive = await Store.Proplets.ListAsync(false, since, 4, 2, Ct);
        var all = await Store.Proplets.ListAsync(null, since, 8, 5, Ct);

        Assert.Equal(["live1", "live2"], active.Items.Select(p => p.Id));
        Assert.Equal(5UL, active.Total);
        Assert.Equal(["dead4"], inactive.Items.Select(p => p.Id));
        Assert.Equal(5UL, inactive.Total);
        Assert.Equal(["live3", "live4"], all.Items.Select(p => p.Id));
        Assert.Equal(10UL, all.Total);
    }

    [Fact]
    public async Task PropletDelete_ExistingThenAgain_TrueThenFalse()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-del", Name = "del" }, Ct);

        Assert.True(await Store.Proplets.DeleteAsync("p-del", Ct));
        Assert.False(await Store.Proplets.DeleteAsync("p-del", Ct));
        Assert.Null(await Store.Proplets.GetAsync("p-del", Ct));
    }

    // ---- task → proplet mapping ----

    [Fact]
    public async Task TaskPropletUpsert_TwiceThenDelete_KeepsLatestThenRemoves()
    {
        await Store.Tasks.CreateAsync(NewTask("t-map", T0), Ct);
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-a", Name = "a" }, Ct);
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-b", Name = "b" }, Ct);

        await Store.TaskProplets.UpsertAsync("t-map", "p-a", Ct);
        var first = await Store.TaskProplets.GetAsync("t-map", Ct);
        await Store.TaskProplets.UpsertAsync("t-map", "p-b", Ct);
        var second = await Store.TaskProplets.GetAsync("t-map", Ct);
        var deleted = await Store.TaskProplets.DeleteAsync("t-map", Ct);

        Assert.Equal("p-a", first);
        Assert.Equal("p-b", second);
        Assert.True(deleted);
        Assert.Null(await Store.TaskProplets.GetAsync("t-map", Ct));
        Assert.False(await Store.TaskProplets.DeleteAsync("t-map", Ct));
        Assert.NotNull(await Store.Tasks.GetAsync("t-map", Ct));
        Assert.NotNull(await Store.Proplets.GetAsync("p-a", Ct));
    }

    [Fact]
    public async Task TaskPropletUpsert_UnknownTaskOrProplet_ThrowsNotFound()
    {
        await Store.Tasks.CreateAsync(NewTask("t-known", T0), Ct);
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-known", Name = "known" }, Ct);

        var noTask = await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.TaskProplets.UpsertAsync("t-missing", "p-known", Ct));
        var noProplet = await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.TaskProplets.UpsertAsync("t-known", "p-missing", Ct));

        Assert.Contains("t-missing", noTask.Message, StringComparison.Ordinal);
        Assert.Contains("p-missing", noProplet.Message, StringComparison.Ordinal);
        Assert.Null(await Store.TaskProplets.GetAsync("t-known", Ct));
    }

    // ---- cascades ----

    [Fact]
    public async Task TaskDelete_WithMappingAndMetrics_RemovesThem()
    {
        await Store.Tasks.CreateAsync(NewTask("t-cascade", T0), Ct);
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-keep", Name = "keep" }, Ct);
        await Store.TaskProplets.UpsertAsync("t-cascade", "p-keep", Ct);
        await Store.Metrics.AddTaskMetricsAsync(TaskSample("t-cascade", T0, 1), Ct);

        await Store.Tasks.DeleteAsync("t-cascade", Ct);
        await Store.Tasks.CreateAsync(NewTask("t-cascade", T0), Ct);

        Assert.Null(await Store.TaskProplets.GetAsync("t-cascade", Ct));
        Assert.Equal(0UL, (await Store.Metrics.ListTaskMetricsAsync("t-cascade", 0, 10, Ct)).Total);
        Assert.NotNull(await Store.Proplets.GetAsync("p-keep", Ct));
    }

    [Fact]
    public async Task PropletDelete_WithMappingAndMetrics_RemovesThem()
    {
        await Store.Tasks.CreateAsync(NewTask("t-keep", T0), Ct);
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-cascade", Name = "cascade" }, Ct);
        await Store.TaskProplets.UpsertAsync("t-keep", "p-cascade", Ct);
        await Store.Metrics.AddPropletMetricsAsync(PropletSample("p-cascade", T0, 1), Ct);

        await Store.Proplets.DeleteAsync("p-cascade", Ct);
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-cascade", Name = "again" }, Ct);

        Assert.Null(await Store.TaskProplets.GetAsync("t-keep", Ct));
        Assert.Equal(0UL, (await Store.Metrics.ListPropletMetricsAsync("p-cascade", 0, 10, Ct)).Total);
        Assert.NotNull(await Store.Tasks.GetAsync("t-keep", Ct));
    }

    // ---- metrics ----

    [Fact]
    public async Task TaskMetrics_AddedOutOfOrder_ListedNewestFirstWithEveryField()
    {
        await Store.Tasks.CreateAsync(NewTask("t-met", T0), Ct);
        var samples = new[] { TaskSample("t-met", T0.AddMilliseconds(500), 2), TaskSample("t-met", T0, 1) with { Aggregated = null }, TaskSample("t-met", T0.AddSeconds(3), 3) };
        foreach (var sample in samples)
        {
            await Store.Metrics.AddTaskMetricsAsync(sample, Ct);
        }

        var page = await Store.Metrics.ListTaskMetricsAsync("t-met", 0, 10, Ct);

        Assert.Equal([samples[2], samples[0], samples[1]], page.Items);
        Assert.Equal(3UL, page.Total);
    }

    [Fact]
    public async Task TaskMetrics_Paged_TotalCountsAll()
    {
        await Store.Tasks.CreateAsync(NewTask("t-page", T0), Ct);
        await Store.Tasks.CreateAsync(NewTask("t-other", T0), Ct);
        for (var i = 0; i < 5; i++)
        {
            await Store.Metrics.AddTaskMetricsAsync(TaskSample("t-page", T0.AddSeconds(i), i), Ct);
        }

        await Store.Metrics.AddTaskMetricsAsync(TaskSample("t-other", T0, 9), Ct);

        var page = await Store.Metrics.ListTaskMetricsAsync("t-page", 1, 2, Ct);

        Assert.Equal([3d, 2d], page.Items.Select(m => m.Metrics.CpuPercent));
        Assert.Equal(5UL, page.Total);
    }

    [Fact]
    public async Task TaskMetrics_SameTimestampTwice_KeepsLaterSample()
    {
        await Store.Tasks.CreateAsync(NewTask("t-twice", T0), Ct);

        await Store.Metrics.AddTaskMetricsAsync(TaskSample("t-twice", T0, 1), Ct);
        await Store.Metrics.AddTaskMetricsAsync(TaskSample("t-twice", T0, 2), Ct);

        var page = await Store.Metrics.ListTaskMetricsAsync("t-twice", 0, 10, Ct);
        Assert.Equal(2d, Assert.Single(page.Items).Metrics.CpuPercent);
    }

    [Fact]
    public async Task TaskMetrics_UnknownTask_AddThrowsNotFoundListIsEmpty()
    {
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.Metrics.AddTaskMetricsAsync(TaskSample("t-none", T0, 1), Ct));

        Assert.Equal(0UL, (await Store.Metrics.ListTaskMetricsAsync("t-none", 0, 10, Ct)).Total);
    }

    [Fact]
    public async Task PropletMetrics_Added_ListedNewestFirstPagedWithEveryField()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-met", Name = "met" }, Ct);
        var samples = Enumerable.Range(0, 4).Select(i => PropletSample("p-met", T0.AddTicks(i * 10_001), i)).ToList();
        samples[1] = samples[1] with { Namespace = null, MemoryMetrics = new MemoryMetrics { RssBytes = 1 } };
        foreach (var sample in samples)
        {
            await Store.Metrics.AddPropletMetricsAsync(sample, Ct);
        }

        var all = await Store.Metrics.ListPropletMetricsAsync("p-met", 0, 10, Ct);
        var page = await Store.Metrics.ListPropletMetricsAsync("p-met", 2, 1, Ct);

        Assert.Equal([samples[3], samples[2], samples[1], samples[0]], all.Items);
        Assert.Equal([samples[1]], page.Items);
        Assert.Equal(4UL, page.Total);
    }

    [Fact]
    public async Task PropletMetrics_SameTimestampTwice_KeepsLaterSample()
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = "p-twice", Name = "twice" }, Ct);

        await Store.Metrics.AddPropletMetricsAsync(PropletSample("p-twice", T0, 1), Ct);
        await Store.Metrics.AddPropletMetricsAsync(PropletSample("p-twice", T0, 2), Ct);

        var page = await Store.Metrics.ListPropletMetricsAsync("p-twice", 0, 10, Ct);
        Assert.Equal(2d, Assert.Single(page.Items).CpuMetrics.Percent);
    }

    [Fact]
    public async Task PropletMetrics_UnknownProplet_AddThrowsNotFound()
    {
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.Metrics.AddPropletMetricsAsync(PropletSample("p-none", T0, 1), Ct));
    }

    // ---- jobs ----

    [Fact]
    public async Task JobCreate_EveryFieldSet_GetReturnsEqualJob()
    {
        var job = NewJob("job-full", T0) with { Name = "nightly", ExecutionMode = "sequential", UpdatedAt = T0.AddSeconds(3).AddTicks(7) };

        await Store.Jobs.CreateAsync(job, Ct);

        Assert.Equal(JobText(job), JobText((await Store.Jobs.GetAsync("job-full", Ct))!));
    }

    [Fact]
    public async Task JobCreate_DuplicateId_ThrowsConflictAndKeepsFirst()
    {
        await Store.Jobs.CreateAsync(NewJob("job-dup", T0) with { Name = "first" }, Ct);

        await Assert.ThrowsAsync<EntityConflictException>(() => Store.Jobs.CreateAsync(NewJob("job-dup", T0) with { Name = "second" }, Ct));

        Assert.Equal("first", (await Store.Jobs.GetAsync("job-dup", Ct))!.Name);
    }

    [Fact]
    public async Task JobGet_UnknownId_ReturnsNull()
    {
        Assert.Null(await Store.Jobs.GetAsync("nope", Ct));
    }

    [Fact]
    public async Task JobUpdate_Existing_ReplacesEveryField()
    {
        await Store.Jobs.CreateAsync(NewJob("job-upd", T0) with { Name = "before", ExecutionMode = "parallel" }, Ct);
        var replacement = new JobRecord { Id = "job-upd", Name = "after", ExecutionMode = "sequential", CreatedAt = T0.AddDays(1), UpdatedAt = T0.AddDays(2) };

        await Store.Jobs.UpdateAsync(replacement, Ct);

        Assert.Equal(JobText(replacement), JobText((await Store.Jobs.GetAsync("job-upd", Ct))!));
    }

    [Fact]
    public async Task JobUpdate_UnknownId_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Store.Jobs.UpdateAsync(NewJob("nope", T0), Ct));
    }

    [Fact]
    public async Task JobList_Paged_NewestFirstThenIdAndTotalCountsAll()
    {
        await Store.Jobs.CreateAsync(NewJob("job-b", T0), Ct);
        await Store.Jobs.CreateAsync(NewJob("job-old", T0.AddHours(-1)), Ct);
        await Store.Jobs.CreateAsync(NewJob("job-a", T0), Ct);
        await Store.Jobs.CreateAsync(NewJob("job-new", T0.AddHours(1)), Ct);

        var first = await Store.Jobs.ListAsync(0, 3, Ct);
        var second = await Store.Jobs.ListAsync(3, 3, Ct);
        var beyond = await Store.Jobs.ListAsync(10, 3, Ct);
        var all = await Store.Jobs.ListAllAsync(Ct);

        Assert.Equal(["job-new", "job-a", "job-b"], first.Items.Select(j => j.Id));
        Assert.Equal(["job-old"], second.Items.Select(j => j.Id));
        Assert.Equal(4UL, first.Total);
        Assert.Equal(4UL, second.Total);
        Assert.Empty(beyond.Items);
        Assert.Equal(4UL, beyond.Total);
        Assert.Equal(["job-new", "job-a", "job-b", "job-old"], all.Select(j => j.Id));
    }

    [Fact]
    public async Task JobListAll_Empty_ReturnsEmpty()
    {
        Assert.Empty(await Store.Jobs.ListAllAsync(Ct));
        Assert.Equal(0UL, (await Store.Jobs.ListAsync(0, 10, Ct)).Total);
    }

    [Fact]
    public async Task JobDelete_ExistingThenAgain_TrueThenFalseAndTasksStay()
    {
        await Store.Jobs.CreateAsync(NewJob("job-del", T0), Ct);
        await Store.Tasks.CreateAsync(NewTask("t-of-job", T0) with { JobId = "job-del" }, Ct);

        Assert.True(await Store.Jobs.DeleteAsync("job-del", Ct));
        Assert.False(await Store.Jobs.DeleteAsync("job-del", Ct));

        Assert.Null(await Store.Jobs.GetAsync("job-del", Ct));
        Assert.Equal("job-del", (await Store.Tasks.GetAsync("t-of-job", Ct))!.JobId);
    }

    // ---- helpers ----

    private protected static PropellerTask FullTask(string id) => new()
    {
        Id = id,
        Name = "full task",
        Kind = "federated",
        State = TaskState.Running,
        ImageUrl = "registry.example/app:1",
        File = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0xFF],
        CliArgs = ["--invoke", "add"],
        Inputs = ["1", "2.5", "x"],
        Env = new Dictionary<string, string> { ["A"] = "1", ["MODEL_URI"] = "s3://m" },
        Daemon = true,
        Latent = true,
        Encrypted = true,
        KbsResourcePath = "default/key/1",
        PropletId = "p-1",
        DependsOn = ["t-a", "t-b"],
        RunIf = "failure",
        WorkflowId = "wf-1",
        JobId = "job-1",
        Results = Parse("""{"sum":3,"items":[1,"two",null,true],"nested":{"ok":false},"pi":3.14159}"""),
        Error = "partial failure",
        MonitoringProfile = new MonitoringProfile { Enabled = false, Interval = 5, CollectDiskIo = false, HistorySize = 7, RetainHistory = false },
        StartTime = T0.AddSeconds(1),
        FinishTime = T0.AddSeconds(2).AddTicks(3),
        CreatedAt = new DateTimeOffset(2025, 3, 4, 7, 6, 7, TimeSpan.FromHours(2)).AddTicks(9_999_999),
        UpdatedAt = T0.AddSeconds(4),
        Mode = "train",
        Schedule = "*/5 * * * *",
        NextRun = T0.AddMinutes(5).AddTicks(4_321),
        IsRecurring = true,
        Timezone = "Europe/Belgrade",
        Broadcast = true,
        Priority = 90,
        Metadata = ParseMetadata("""{"env":"prod","n":5,"deep":{"a":[1,2]}}"""),
        HalStoragePath = "/var/lib/hal",
        Requirements = new TaskRequirements { Tags = ["gpu", "eu"], MinMemoryBytes = 8_589_934_592, CpuArch = "aarch64", WasmRuntime = "wasmtime-internal" },
        Retry = new TaskRetryPolicy { MaxAttempts = 3, BackoffMs = 1500 },
        Attempt = 2,
    };

    private protected static Proplet FullProplet(string id) => new()
    {
        Id = id,
        Name = "Morgan-Riley",
        TaskCount = 4,
        AliveHistory = [T0, T0.AddSeconds(5).AddTicks(7)],
        Offline = true,
        Metadata = new PropletMetadata
        {
            Description = "edge box",
            Tags = ["gpu", "eu"],
            Location = "lab",
            Ip = "10.0.0.7",
            Environment = "prod",
            Os = "linux",
            Hostname = "edge-1",
            CpuArch = "aarch64",
            TotalMemoryBytes = 8_589_934_592,
            PropletVersion = "0.1.0",
            WasmRuntime = "wasmtime",
        },
    };

    private protected static PropellerTask NewTask(string id, DateTimeOffset createdAt, string? metadata = null) => new()
    {
        Id = id,
        Name = id,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
        Metadata = metadata is null ? null : ParseMetadata(metadata),
    };

    // A job as comparable text (times as UTC ticks), so an offset or a dropped tick shows in the diff.
    private static string JobText(JobRecord job) => $"{job.Id}|{job.Name}|{job.ExecutionMode}|{job.CreatedAt.UtcTicks}|{job.UpdatedAt.UtcTicks}";

    private protected static JobRecord NewJob(string id, DateTimeOffset createdAt) => new()
    {
        Id = id,
        Name = id,
        ExecutionMode = "parallel",
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
    };

    private static TaskMetricsMessage TaskSample(string taskId, DateTimeOffset at, double cpu) => new()
    {
        TaskId = taskId,
        PropletId = "p-reporter",
        Timestamp = at,
        Metrics = new ProcessMetrics { CpuPercent = cpu, MemoryBytes = 2048, MemoryPercent = 1.5, DiskReadBytes = 1, DiskWriteBytes = 2, UptimeSeconds = 3, ThreadCount = 4, FileDescriptorCount = 5 },
        Aggregated = new AggregatedMetrics { AvgCpuUsage = cpu / 2, MaxCpuUsage = cpu, AvgMemoryUsage = 10, MaxMemoryUsage = 20, TotalDiskRead = 30, TotalDiskWrite = 40, SampleCount = 6 },
    };

    private static PropletMetricsMessage PropletSample(string propletId, DateTimeOffset at, double cpu) => new()
    {
        PropletId = propletId,
        Namespace = "ns",
        Timestamp = at,
        CpuMetrics = new CpuMetrics { UserSeconds = 1.25, SystemSeconds = 0.5, Percent = cpu },
        MemoryMetrics = new MemoryMetrics { RssBytes = 100, HeapAllocBytes = 200, HeapSysBytes = 300, HeapInuseBytes = 400, ContainerUsageBytes = 500, ContainerLimitBytes = 600 },
    };

    private async Task CreatePropletWithBeat(string id, DateTimeOffset beat)
    {
        await Store.Proplets.CreateAsync(new Proplet { Id = id, Name = id }, Ct);
        await Store.Proplets.RecordHeartbeatAsync(id, beat, Ct);
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static Dictionary<string, JsonElement> ParseMetadata(string json) =>
        JsonSerializer.Deserialize(json, PropellerJsonContext.Default.DictionaryStringJsonElement)!;

    private static TaskFilter Filter(string json) => new(ParseMetadata(json));

    private protected static void AssertTasksEqual(PropellerTask expected, PropellerTask? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(Normalise(expected), Normalise(actual));
    }

    private protected static void AssertPropletsEqual(Proplet expected, Proplet? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.TaskCount, actual.TaskCount);
        Assert.Equal(expected.AliveHistory, actual.AliveHistory);
        Assert.Equal(expected.Offline, actual.Offline);
        Assert.Equal(MetadataJson(expected.Metadata), MetadataJson(actual.Metadata));
    }

    private static string MetadataJson(PropletMetadata? metadata) =>
        metadata is null ? "null" : JsonSerializer.Serialize(metadata, PropellerJsonContext.Default.PropletMetadata);

    // Every field as text (times as UTC ticks), so a field that a backend drops or alters shows up in the diff.
    private static string[] Normalise(PropellerTask t) =>
    [
        $"id={t.Id}", $"name={t.Name}", $"kind={t.Kind}", $"state={t.State}", $"image_url={t.ImageUrl}",
        $"file={(t.File is null ? "null" : Convert.ToHexString(t.File))}",
        $"cli_args={List(t.CliArgs)}", $"inputs={List(t.Inputs)}",
        $"env={(t.Env is null ? "null" : string.Join(";", t.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}")))}",
        $"daemon={t.Daemon}", $"latent={t.Latent}", $"encrypted={t.Encrypted}", $"kbs={t.KbsResourcePath}", $"proplet_id={t.PropletId}",
        $"depends_on={List(t.DependsOn)}", $"run_if={t.RunIf}", $"workflow_id={t.WorkflowId}", $"job_id={t.JobId}",
        $"results={(t.Results is { } r ? JsonSerializer.Serialize(r, PropellerJsonContext.Default.JsonElement) : "none")}", $"error={t.Error}",
        $"monitoring={(t.MonitoringProfile is null ? "null" : t.MonitoringProfile.ToString())}",
        $"start={t.StartTime.UtcTicks}", $"finish={t.FinishTime.UtcTicks}", $"created={t.CreatedAt.UtcTicks}", $"updated={t.UpdatedAt.UtcTicks}",
        $"mode={t.Mode}", $"schedule={(t.Schedule is null ? "null" : "'" + t.Schedule + "'")}", $"next_run={t.NextRun.UtcTicks}",
        $"recurring={t.IsRecurring}", $"timezone={t.Timezone}", $"broadcast={t.Broadcast}", $"priority={t.Priority}",
        $"metadata={(t.Metadata is null ? "null" : string.Join(";", t.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={JsonSerializer.Serialize(m.Value, PropellerJsonContext.Default.JsonElement)}")))}",
        $"hal={t.HalStoragePath}",
        $"requirements={(t.Requirements is null ? "null" : JsonSerializer.Serialize(t.Requirements, PropellerJsonContext.Default.TaskRequirements))}",
        $"retry={(t.Retry is null ? "null" : t.Retry.ToString())}", $"attempt={t.Attempt}",
    ];

    private static string List(IReadOnlyList<string>? values) => values is null ? "null" : "[" + string.Join(",", values) + "]";
}
