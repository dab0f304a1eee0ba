using System.Net;
using Microsoft.Extensions.Time.Testing;
using Propeller.Contracts.Messages;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Scheduling;

/// <summary>
/// The cron scheduler in the real manager with a fake clock: ticks happen when the test advances time, and
/// <c>next_run</c> is computed from that clock.
/// </summary>
public sealed class CronSchedulerTests(ITestOutputHelper output)
{
    // 12:00:30 in Berlin (CEST, UTC+2).
    private static readonly DateTimeOffset Start = new(2026, 6, 15, 10, 0, 30, TimeSpan.Zero);

    [Fact]
    public async Task Tick_EveryMinuteInBerlin_FiresOnTheMinuteAndSchedulesTheNext()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await StartHostAsync(clock);
        await using var proplet = await ScriptedProplet.StartAsync(host, complete: true);
        var created = await host.Http.CreateTaskAsync("""{"name":"cron","schedule":"* * * * *","timezone":"Europe/Berlin","is_recurring":true}""");
        var id = created["id"]!.GetValue<string>();
        Assert.Equal("2026-06-15T10:01:00Z", created["next_run"]!.GetValue<string>());

        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(25));
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(1));
        Assert.Empty(proplet.Started);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(id))!.State);

        await proplet.HeartbeatAsync();
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(5));

        var fired = await Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Completed, "the cron run to complete");
        Assert.Equal([id], proplet.Started);
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 10, 2, 0, TimeSpan.Zero), fired.NextRun);
        Assert.Equal("* * * * *", fired.Schedule);
        Assert.Equal(1, fired.Attempt);

        // The next minute runs it again: the kept mapping is upserted.
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(54));
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(1));
        Assert.Single(proplet.Started);
        await proplet.HeartbeatAsync();
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => proplet.Started.Count == 2, "a second cron run");
        var second = await Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Completed && t.NextRun.Minute == 3, "the second run to finish");
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 10, 3, 0, TimeSpan.Zero), second.NextRun);
    }

    [Fact]
    public async Task Tick_OneShot_RunsOnceAndClearsItsSchedule()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await StartHostAsync(clock);
        await using var proplet = await ScriptedProplet.StartAsync(host, complete: true);
        var id = (await host.Http.CreateTaskAsync("""{"name":"once","schedule":"* * * * *","timezone":"Europe/Berlin"}"""))["id"]!.GetValue<string>();

        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(25));
        await proplet.HeartbeatAsync();
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(5));

        await Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Completed && t.Schedule is null, "the one-shot to run and clear its schedule");
        var json = await (await host.Http.GetAsync($"tasks/{id}")).ReadJsonAsync();
        Assert.False(json.AsObject().ContainsKey("schedule"));
        Assert.Equal("0001-01-01T00:00:00Z", json["next_run"]!.GetValue<string>());

        await proplet.HeartbeatAsync();
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(90));
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(1));
        Assert.Equal([id], proplet.Started);
    }

    [Fact]
    public async Task Tick_SeveralDue_StartsThemByPriorityThenAge()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await StartHostAsync(clock);
        await using var proplet = await ScriptedProplet.StartAsync(host, complete: true);
        var names = new[] { ("low", 10), ("default-old", 0), ("high", 90), ("default-new", 50) };
        var ids = new Dictionary<string, string>();
        foreach (var (name, priority) in names)
        {
            ids[name] = (await host.Http.CreateTaskAsync($$"""{"name":"{{name}}","schedule":"* * * * *","priority":{{priority}}}"""))["id"]!.GetValue<string>();
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(25));
        await proplet.HeartbeatAsync();
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(5));

        var fired = await Eventually.ValueAsync(
            () => Task.FromResult<List<Propeller.Testing.LogEntry>?>(host.Logs.Entries.Where(e => e.EventId.Id == EventIds.CronTaskFired).ToList()),
            e => e.Count == 4,
            "four cron starts");
        var order = fired.Select(e => ids.Single(kv => e.Message.Contains(kv.Value, StringComparison.Ordinal)).Key);
        Assert.Equal(["high", "default-old", "default-new", "low"], order);

        // Shutdown under a fake clock must not find tasks still running.
        foreach (var id in ids.Values)
        {
            await Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Completed, "every run to finish");
        }
    }

    [Fact]
    public async Task Startup_MissedRun_IsSkippedNotCaughtUp()
    {
        var clock = new FakeTimeProvider(Start);
        var missed = new PropellerTask
        {
            Id = Guid.NewGuid().ToString(),
            Name = "missed",
            Schedule = "*/5 * * * *",
            IsRecurring = true,
            Timezone = "Europe/Berlin",
            NextRun = Start.AddMinutes(-30),
            CreatedAt = Start.AddHours(-1),
        };
        await using var host = await StartHostAsync(clock, seed: store => store.Tasks.CreateAsync(missed, CancellationToken.None));
        await using var proplet = await ScriptedProplet.StartAsync(host, complete: true);

        var refreshed = await Eventually.ValueAsync(() => host.GetTaskAsync(missed.Id), t => t.NextRun > Start, "a fresh next_run");

        Assert.Equal(new DateTimeOffset(2026, 6, 15, 10, 5, 0, TimeSpan.Zero), refreshed.NextRun);
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(5));
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(1));
        Assert.Empty(proplet.Started);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(missed.Id))!.State);
    }

    [Fact]
    public async Task Tick_StartFails_KeepsNextRunAndRetriesOnTheNextTick()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await StartHostAsync(clock);
        var id = (await host.Http.CreateTaskAsync("""{"name":"nobody","schedule":"* * * * *","is_recurring":true}"""))["id"]!.GetValue<string>();

        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(40));

        await Eventually.TrueAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == EventIds.CronStartFailed && e.Message.Contains(id, StringComparison.Ordinal)), "a logged start failure");
        var task = (await host.GetTaskAsync(id))!;
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 10, 1, 0, TimeSpan.Zero), task.NextRun);

        await using var proplet = await ScriptedProplet.StartAsync(host, complete: true);
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(1));
        await Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Completed, "the retried run");
        Assert.Equal([id], proplet.Started);
    }

    [Fact]
    public async Task Update_EmptySchedule_StopsTheCronRuns()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await StartHostAsync(clock);
        await using var proplet = await ScriptedProplet.StartAsync(host, complete: true);
        var id = (await host.Http.CreateTaskAsync("""{"name":"cron","schedule":"* * * * *","is_recurring":true}"""))["id"]!.GetValue<string>();

        var kept = await (await host.Http.PutJsonAsync($"tasks/{id}", """{"name":"renamed"}""")).ReadJsonAsync();
        Assert.Equal("2026-06-15T10:01:00Z", kept["next_run"]!.GetValue<string>());
        var cleared = await (await host.Http.PutJsonAsync($"tasks/{id}", """{"schedule":""}""")).ReadJsonAsync();
        Assert.Equal("0001-01-01T00:00:00Z", cleared["next_run"]!.GetValue<string>());

        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(31));
        await AdvanceAndWaitForTickAsync(host, clock, TimeSpan.FromSeconds(1));
        Assert.Empty(proplet.Started);
    }

    [Theory]
    [InlineData("""{"name":"t","schedule":"* * * * *","timezone":"Mars/Olympus"}""", "invalid timezone 'Mars/Olympus'")]
    [InlineData("""{"name":"t","schedule":"@daily"}""", "invalid cron expression")]
    [InlineData("""{"name":"t","schedule":"61 * * * *"}""", "invalid cron expression")]
    public async Task Create_InvalidScheduleOrTimezone_Is400(string body, string expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("tasks", body)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"schedule":"*/2 * * * *","timezone":"Nowhere/Land"}""", "invalid timezone 'Nowhere/Land'")]
    [InlineData("""{"schedule":"* * *"}""", "invalid cron expression")]
    public async Task Update_InvalidScheduleOrTimezone_Is400AndKeepsTheTask(string body, string expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var id = (await host.Http.CreateTaskAsync("""{"name":"cron","schedule":"0 * * * *","is_recurring":true}"""))["id"]!.GetValue<string>();

        var error = await (await host.Http.PutJsonAsync($"tasks/{id}", body)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal("0 * * * *", (await host.GetTaskAsync(id))!.Schedule);
    }

    private Task<ManagerTestHost> StartHostAsync(FakeTimeProvider clock, Func<Propeller.Manager.Storage.IPropellerStore, Task>? seed = null) =>
        ManagerTestHost.StartAsync(
            output,
            configure: o => o with { CronTickInterval = TimeSpan.FromSeconds(1), PropletLostTimeout = TimeSpan.FromDays(1) },
            seed: seed,
            time: clock);

    /// <summary>Moves the clock on and waits until the scheduler has run a tick at the new time.</summary>
    private static async Task AdvanceAndWaitForTickAsync(ManagerTestHost host, FakeTimeProvider clock, TimeSpan by)
    {
        var ticks = host.Logs.Entries.Count(e => e.EventId.Id == EventIds.CronTick);
        clock.Advance(by);
        await Eventually.TrueAsync(() => host.Logs.Entries.Count(e => e.EventId.Id == EventIds.CronTick) > ticks, "a cron tick");
    }
}
