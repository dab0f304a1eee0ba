using System.Net;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Api;

public sealed class HealthAndMetricsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Health_ReturnsPassWithTheEntityIdAsInstanceId()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var health = (await (await host.CreateClient(null).GetAsync("health")).ReadJsonAsync()).AsObject();

        Assert.Equal("pass", health["status"]!.GetValue<string>());
        Assert.Equal("manager service", health["description"]!.GetValue<string>());
        Assert.Equal(host.Options.Credentials.EntityId, health["instance_id"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(health["version"]!.GetValue<string>()));
        Assert.True(health.ContainsKey("commit"));
        Assert.True(health.ContainsKey("build_time"));
    }

    [Fact]
    public async Task Metrics_CountsAndTimesEachOperation()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.Http.CreateTaskAsync("""{"name":"t"}""");
        await host.Http.GetAsync("tasks");
        await host.Http.GetAsync("tasks");

        var response = await host.CreateClient(null).GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("manager_api_request_count{method=\"create-task\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("manager_api_request_count{method=\"list-tasks\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("manager_api_request_latency_microseconds{method=\"list-tasks\",quantile=\"0.99\"}", text, StringComparison.Ordinal);
        Assert.Contains("manager_api_request_count{method=\"subscribe\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("manager_api_request_count{method=\"recover-interrupted-tasks\"} 1", text, StringComparison.Ordinal);
    }
}
