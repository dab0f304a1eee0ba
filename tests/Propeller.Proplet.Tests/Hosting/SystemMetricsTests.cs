using System.Globalization;
using System.Text.Json;
using Propeller.Proplet.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Hosting;

public sealed class SystemMetricsTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Metrics_IntervalOneSecond_CarryCpuAndMemory()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string> { ["PROPLET_METRICS_INTERVAL"] = "1" });

        var metrics = (await proplet.WaitForAsync("control/proplet/metrics", _ => true)).Payload;

        Assert.Equal(proplet.PropletId, metrics.GetProperty("proplet_id").GetString());
        Assert.Equal("default", metrics.GetProperty("namespace").GetString());
        var timestamp = DateTimeOffset.Parse(metrics.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(DateTimeOffset.UtcNow - timestamp < TimeSpan.FromMinutes(1));
        var cpu = metrics.GetProperty("cpu_metrics");
        Assert.True(cpu.GetProperty("user_seconds").GetDouble() > 0);
        Assert.True(cpu.GetProperty("system_seconds").GetDouble() >= 0);
        Assert.InRange(cpu.GetProperty("percent").GetDouble(), 0, 100);
        var memory = metrics.GetProperty("memory_metrics");
        Assert.True(memory.GetProperty("rss_bytes").GetUInt64() > 0);
        Assert.Equal(0UL, memory.GetProperty("heap_alloc_bytes").GetUInt64());
        Assert.Equal(0UL, memory.GetProperty("heap_sys_bytes").GetUInt64());
        Assert.Equal(0UL, memory.GetProperty("heap_inuse_bytes").GetUInt64());
        Assert.Equal(JsonValueKind.Number, memory.GetProperty("container_usage_bytes").ValueKind);
    }

    [Fact]
    public async Task Metrics_MonitoringDisabled_SendsNone()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            ["PROPLET_METRICS_INTERVAL"] = "1",
            ["PROPLET_LIVELINESS_INTERVAL"] = "1",
            ["PROPLET_ENABLE_MONITORING"] = "false",
        });

        await Testing.Eventually.TrueAsync(() => proplet.Messages("control/proplet/alive").Count >= 3, "three heartbeats");
        Assert.Empty(proplet.Messages("control/proplet/metrics"));
    }
}
