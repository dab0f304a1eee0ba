using System.Globalization;
using System.Text.Json;
using Propeller.Contracts.Messages;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Monitoring;
using Propeller.Proplet.Tasks;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Monitoring;

public sealed class TaskMetricsTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    private const string TaskMetrics = "control/proplet/task_metrics";

    [Fact]
    public async Task Start_LoopRunningOverOneSecond_PublishesTaskMetricsWithHistory()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await proplet.StartTaskAsync(Payloads.Start("looping", "loop", ExampleWasm.Loop, propletId: proplet.PropletId));

        var sample = (await proplet.WaitForAsync(TaskMetrics, m => m.Text("task_id") == "looping")).Payload;
        await proplet.StopTaskAsync("looping");
        await proplet.ResultAsync("looping");

        Assert.Equal(proplet.PropletId, sample.GetProperty("proplet_id").GetString());
        var timestamp = DateTimeOffset.Parse(sample.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(DateTimeOffset.UtcNow - timestamp < TimeSpan.FromMinutes(1));
        var metrics = sample.GetProperty("metrics");
        foreach (var field in new[] { "cpu_percent", "memory_bytes", "memory_percent", "disk_read_bytes", "disk_write_bytes", "uptime_seconds", "thread_count", "file_descriptor_count" })
        {
            Assert.Equal(JsonValueKind.Number, metrics.GetProperty(field).ValueKind);
        }

        Assert.True(metrics.GetProperty("memory_bytes").GetUInt64() > 0);
        Assert.True(metrics.GetProperty("thread_count").GetUInt32() > 0);
        var aggregated = sample.GetProperty("aggregated");
        Assert.True(aggregated.GetProperty("sample_count").GetUInt64() >= 1);
        Assert.True(aggregated.GetProperty("max_memory_usage").GetDouble() > 0);
    }

    [Fact]
    public async Task Start_LoopOnItsOwnThread_MeasuresTheGuestThreadsCpu()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await proplet.StartTaskAsync(WithProfile(Payloads.Start("busy", "loop", ExampleWasm.Loop, propletId: proplet.PropletId), """{"interval":1}"""));

        // The endless loop keeps its thread busy: some sample shows it using CPU (the first may cover only a moment).
        var busy = await proplet.WaitForAsync(
            TaskMetrics, m => m.Text("task_id") == "busy" && m.Payload.GetProperty("metrics").GetProperty("cpu_percent").GetDouble() > 0);
        await proplet.StopTaskAsync("busy");
        await proplet.ResultAsync("busy");

        Assert.InRange(busy.Payload.GetProperty("metrics").GetProperty("cpu_percent").GetDouble(), double.Epsilon, 200);
    }

    [Fact]
    public async Task Start_Daemon_KeepsSamplingAfterItsResultUntilStopped()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await proplet.StartTaskAsync(WithProfile(
            Payloads.Start("daemon", "loop", ExampleWasm.Loop, propletId: proplet.PropletId, daemon: true), """{"interval":1,"history_size":500}"""));
        var result = await proplet.ResultAsync("daemon");

        await Eventually.TrueAsync(
            () => proplet.Messages(TaskMetrics).Count(m => m.Text("task_id") == "daemon" && m.ReceivedAt > result.ReceivedAt) >= 2,
            "two samples after the daemon's immediate result");
        var monitor = proplet.Service<TaskMonitor>();
        Assert.Equal(1, monitor.ActiveCount);

        await proplet.StopTaskAsync("daemon");
        await Eventually.TrueAsync(() => monitor.ActiveCount == 0, "monitoring to stop with the daemon");
        await Eventually.TrueAsync(() => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.TaskMonitoringStopped), "the stop to be logged");
        var latest = proplet.Messages(TaskMetrics).Last(m => m.Text("task_id") == "daemon");
        Assert.True(latest.Payload.GetProperty("aggregated").GetProperty("sample_count").GetUInt64() >= 2);
    }

    [Fact]
    public async Task Start_RetentionAndCollectorsOff_SendsNullAggregateAndZeros()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await proplet.StartTaskAsync(WithProfile(
            Payloads.Start("plain", "loop", ExampleWasm.Loop, propletId: proplet.PropletId),
            """{"retain_history":false,"collect_cpu":false,"collect_memory":false,"collect_disk_io":false,"collect_threads":false,"collect_file_descriptors":false}"""));

        var sample = (await proplet.WaitForAsync(TaskMetrics, m => m.Text("task_id") == "plain")).Payload;
        await proplet.StopTaskAsync("plain");
        await proplet.ResultAsync("plain");

        Assert.Equal(JsonValueKind.Null, sample.GetProperty("aggregated").ValueKind);
        var metrics = sample.GetProperty("metrics");
        foreach (var field in new[] { "cpu_percent", "memory_bytes", "disk_read_bytes", "disk_write_bytes", "thread_count", "file_descriptor_count" })
        {
            Assert.Equal(0, metrics.GetProperty(field).GetDouble());
        }
    }

    [Theory]
    [InlineData("""{"enabled":false}""")]
    [InlineData("""{"export_to_mqtt":false}""")]
    public async Task Start_ProfileNotExported_MonitorsNothing(string profile)
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await proplet.StartTaskAsync(WithProfile(Payloads.Start("quiet", "loop", ExampleWasm.Loop, propletId: proplet.PropletId), profile));
        await Eventually.TrueAsync(() => proplet.Service<RunningTaskTable>().Count == 1, "the task to run");

        Assert.Equal(0, proplet.Service<TaskMonitor>().ActiveCount);
        await proplet.StopTaskAsync("quiet");
        await proplet.ResultAsync("quiet");
        Assert.DoesNotContain(proplet.Logs.Entries, e => e.EventId.Id == EventIds.TaskMonitoringStarted);
        Assert.Empty(proplet.Messages(TaskMetrics));
    }

    [Fact]
    public void ProfileFor_NoProfile_PicksStandardOrLongRunningForDaemons()
    {
        Assert.Same(MonitoringProfile.Standard, TaskMonitor.ProfileFor(new StartMessage { Id = "a" }));
        Assert.Same(MonitoringProfile.LongRunning, TaskMonitor.ProfileFor(new StartMessage { Id = "a", Daemon = true }));
        var own = new MonitoringProfile { Interval = 3 };
        Assert.Same(own, TaskMonitor.ProfileFor(new StartMessage { Id = "a", Daemon = true, MonitoringProfile = own }));
    }

    [Theory]
    [InlineData(10UL, 10_000)]
    [InlineData(120UL, 120_000)]
    [InlineData(10_000_000_000UL, 10_000)] // a Go time.Duration: nanoseconds
    [InlineData(0UL, 1_000)]
    [InlineData(5_000_000UL, 1_000)] // 5 ms from a Duration is raised to the floor
    [InlineData(ulong.MaxValue, 86_400_000)] // centuries are cut to a day
    [InlineData(999_999UL, 86_400_000)]
    public void IntervalOf_Profile_ReadsSecondsOrNanosecondsWithAFloor(ulong interval, int expectedMilliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), TaskMonitor.IntervalOf(new MonitoringProfile { Interval = interval }));

    private static string WithProfile(string start, string profile) => start[..^1] + ",\"monitoring_profile\":" + profile + "}";
}
