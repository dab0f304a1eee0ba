using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Hosting;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Hosting;

public sealed class MetricsServerTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Health_IdleThenWhileALoopRuns_CountsRunningTasks()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        using (var idle = await _http.GetAsync(Url(proplet, "/health")))
        {
            Assert.Equal(HttpStatusCode.OK, idle.StatusCode);
            Assert.Equal("application/json", idle.Content.Headers.ContentType?.MediaType);
            Assert.Equal("""{"status":"ok","running_tasks":0}""", await idle.Content.ReadAsStringAsync());
        }

        await proplet.StartTaskAsync(Payloads.Start("spin", "loop", ExampleWasm.Loop, propletId: proplet.PropletId));
        var busy = await Eventually.ValueAsync(
            async () => JsonDocument.Parse(await _http.GetStringAsync(Url(proplet, "/health"))).RootElement.Clone(),
            health => health.GetProperty("running_tasks").GetInt32() == 1,
            "/health to count the running loop");
        await proplet.StopTaskAsync("spin");
        await proplet.ResultAsync("spin");

        Assert.Equal("ok", busy.GetProperty("status").GetString());
        await Eventually.ValueAsync(
            async () => JsonDocument.Parse(await _http.GetStringAsync(Url(proplet, "/health"))).RootElement.Clone(),
            health => health.GetProperty("running_tasks").GetInt32() == 0,
            "/health to count no task after the stop");
    }

    [Fact]
    public async Task Metrics_AfterATask_ExportsEveryNameAndCountsTheStart()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        using var before = await _http.GetAsync(Url(proplet, "/metrics"));
        var beforeText = await before.Content.ReadAsStringAsync();
        await proplet.RunAddAsync("counted");
        var afterText = await _http.GetStringAsync(Url(proplet, "/metrics"));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal("text/plain", before.Content.Headers.ContentType?.MediaType);
        foreach (var name in new[]
        {
            "proplet_tasks_started_total", "proplet_tasks_completed_total", "proplet_tasks_failed_total", "proplet_tasks_running",
            "proplet_mqtt_reconnects_total", "proplet_wasm_fetch_bytes_total", "proplet_cpu_usage_ratio", "proplet_cpu_user_seconds",
            "proplet_cpu_system_seconds", "proplet_memory_rss_bytes", "proplet_memory_container_usage_bytes", "proplet_memory_container_limit_bytes",
        })
        {
            Assert.Contains($"\n{name} ", "\n" + afterText, StringComparison.Ordinal);
        }

        Assert.Equal(0, Value(beforeText, "proplet_tasks_started_total"));
        Assert.Equal(1, Value(afterText, "proplet_tasks_started_total"));
        Assert.Equal(1, Value(afterText, "proplet_tasks_completed_total"));
        Assert.Equal(1, Value(afterText, "proplet_mqtt_reconnects_total"));
        Assert.Equal(ExampleWasm.Add.Length, Value(afterText, "proplet_wasm_fetch_bytes_total"));
        Assert.True(Value(afterText, "proplet_memory_rss_bytes") > 0);
    }

    [Fact]
    public async Task Metrics_DaemonFailsAfterItsResult_CountsAFailure()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var crash = WatCompiler.ToWasm("""(module (func (export "crash") unreachable))""");
        await proplet.StartTaskAsync(Payloads.Start("doomed", "crash", crash, propletId: proplet.PropletId, daemon: true));

        var result = await proplet.ResultAsync("doomed");
        await Eventually.TrueAsync(() => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.DaemonFailed), "the daemon's failure to be logged");
        var text = await _http.GetStringAsync(Url(proplet, "/metrics"));

        Assert.Equal(JsonValueKind.Null, result.Payload.GetProperty("error").ValueKind);
        Assert.Equal(1, Value(text, "proplet_tasks_failed_total"));
        Assert.Equal(0, Value(text, "proplet_tasks_completed_total"));
        Assert.Single(proplet.Results("doomed"));
    }

    [Fact]
    public async Task Metrics_DaemonStoppedOnRequest_CountsACompletionNotAFailure()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await proplet.StartTaskAsync(Payloads.Start("service", "loop", ExampleWasm.Loop, propletId: proplet.PropletId, daemon: true));
        await proplet.ResultAsync("service");

        await proplet.StopTaskAsync("service");
        await Eventually.TrueAsync(() => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.DaemonStopped), "the daemon's stop to be logged");
        var text = await _http.GetStringAsync(Url(proplet, "/metrics"));

        Assert.Equal(0, Value(text, "proplet_tasks_failed_total"));
        Assert.Equal(1, Value(text, "proplet_tasks_completed_total"));
        Assert.DoesNotContain(proplet.Logs.Entries, e => e.EventId.Id == EventIds.DaemonFailed);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/metrics/extra")]
    [InlineData("/healthz")]
    public async Task Get_OtherPath_Returns404NotFound(string path)
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        using var response = await _http.GetAsync(Url(proplet, path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Start_MetricsDisabled_ListensNowhere()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string> { ["PROPLET_METRICS_ENABLED"] = "false" });

        Assert.Null(proplet.Service<MetricsServer>().Port);
        Assert.Contains(proplet.Logs.Entries, e => e.EventId.Id == EventIds.MetricsServerDisabled);
    }

    [Fact]
    public async Task Start_InvalidPortVariable_WarnsWithTheValue()
    {

        await using var proplet = await PropletHarness.StartAsync(
            broker, output, new Dictionary<string, string> { ["PROPLET_METRICS_PORT"] = "0", ["PROPLET_METRICS_ENABLED"] = "false" });

        var warning = Assert.Single(proplet.Logs.Entries, e => e.EventId.Id == EventIds.MetricsPortIgnored);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains("'0'", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PortTaken_WarnsAndThePropletStillRunsTasks()
    {

        using var squatter = new TcpListener(IPAddress.Any, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        await using var proplet = await PropletHarness.StartAsync(
            broker, output, new Dictionary<string, string> { ["PROPLET_METRICS_PORT"] = port.ToString(CultureInfo.InvariantCulture) });

        var result = await proplet.RunAddAsync("still-works");

        Assert.Null(proplet.Service<MetricsServer>().Port);
        Assert.Contains(proplet.Logs.Entries, e => e.EventId.Id == EventIds.MetricsServerFailed && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal("30", result.Text("results"));
    }

    public void Dispose() => _http.Dispose();

    private static Uri Url(PropletHarness proplet, string path) =>
        new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{proplet.Service<MetricsServer>().Port}{path}"));

    private static double Value(string exposition, string name)
    {
        var match = Regex.Match(exposition, $"^{Regex.Escape(name)} (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{name} missing from:\n{exposition}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
