using System.Net;
using Propeller.Contracts.Messages;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Api;

public sealed class PropletApiTests(ITestOutputHelper output)
{
    [Fact]
    public async Task List_StatusFilter_SplitsActiveFromInactive()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var alive = await host.AddPropletAsync(age: TimeSpan.Zero);
        var stale = await host.AddPropletAsync(age: TimeSpan.FromHours(1));
        var silent = await host.AddPropletAsync();

        var all = await (await host.Http.GetAsync("proplets")).ReadJsonAsync();
        var active = await (await host.Http.GetAsync("proplets?status=active")).ReadJsonAsync();
        var inactive = await (await host.Http.GetAsync("proplets?status=inactive")).ReadJsonAsync();

        Assert.Equal(3, all["total"]!.GetValue<int>());
        Assert.Equal(1, active["total"]!.GetValue<int>());
        Assert.Equal(alive.Id, active["proplets"]![0]!["id"]!.GetValue<string>());
        Assert.True(active["proplets"]![0]!["alive"]!.GetValue<bool>());
        Assert.Equal(2, inactive["total"]!.GetValue<int>());
        Assert.Equal(
            new[] { stale.Id, silent.Id }.Order(StringComparer.Ordinal),
            inactive["proplets"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_UnknownStatus_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.GetAsync("proplets?status=sleeping")).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains("invalid proplet status", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Pagination_ReportsTotalAndSlices()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        for (var i = 0; i < 5; i++)
        {
            await host.AddPropletAsync(age: TimeSpan.Zero);
        }

        var first = await (await host.Http.GetAsync("proplets?status=active&offset=0&limit=3")).ReadJsonAsync();
        var second = await (await host.Http.GetAsync("proplets?status=active&offset=3&limit=3")).ReadJsonAsync();
        var large = await (await host.Http.GetAsync("proplets?limit=1000")).ReadJsonAsync();

        Assert.Equal((5, 3), (first["total"]!.GetValue<int>(), first["proplets"]!.AsArray().Count));
        Assert.Equal((5, 2), (second["total"]!.GetValue<int>(), second["proplets"]!.AsArray().Count));
        Assert.Equal(1000, large["limit"]!.GetValue<int>());
    }

    [Fact]
    public async Task List_BadOffset_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync("proplets/?offset=abc")).ReadErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Get_KnownProplet_ReturnsTheView()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero, taskCount: 2);
        await host.Store.Proplets.UpdateMetadataAsync(proplet.Id, new PropletMetadata { Os = "linux", TotalMemoryBytes = 1024, Tags = ["edge"] }, CancellationToken.None);

        var view = (await (await host.Http.GetAsync($"proplets/{proplet.Id}")).ReadJsonAsync()).AsObject();

        Assert.Equal(proplet.Id, view["id"]!.GetValue<string>());
        Assert.Equal(proplet.Name, view["name"]!.GetValue<string>());
        Assert.Equal(2, view["task_count"]!.GetValue<int>());
        Assert.True(view["alive"]!.GetValue<bool>());
        Assert.True(view.ContainsKey("last_alive_at"));
        Assert.False(view.ContainsKey("alive_at"));
        Assert.Equal(1024, view["metadata"]!["total_memory_bytes"]!.GetValue<long>());
        Assert.Equal("edge", view["metadata"]!["tags"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("not-a-uuid", HttpStatusCode.BadRequest)]
    [InlineData("7e9a7a36-1f49-4b9e-9a5a-7fd0d0a1c0de", HttpStatusCode.NotFound)]
    public async Task Get_BadOrUnknownId_ReturnsError(string id, HttpStatusCode expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync($"proplets/{id}")).ReadErrorAsync(expected);
    }

    [Fact]
    public async Task Delete_IdleProplet_Returns204()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var proplet = await host.AddPropletAsync();

        var response = await host.Http.DeleteAsync($"proplets/{proplet.Id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(await host.GetPropletAsync(proplet.Id));
    }

    [Fact]
    public async Task Delete_BusyProplet_Returns409()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var proplet = await host.AddPropletAsync(taskCount: 3);

        var error = await (await host.Http.DeleteAsync($"proplets/{proplet.Id}")).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Equal($"conflict: proplet {proplet.Id} has 3 active tasks", error);
    }

    [Theory]
    [InlineData("not-a-uuid", HttpStatusCode.BadRequest)]
    [InlineData("7e9a7a36-1f49-4b9e-9a5a-7fd0d0a1c0de", HttpStatusCode.NotFound)]
    public async Task Delete_BadOrUnknownId_ReturnsError(string id, HttpStatusCode expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.DeleteAsync($"proplets/{id}")).ReadErrorAsync(expected);
    }

    [Fact]
    public async Task AliveHistory_ReturnsHeartbeatsOldestFirstPaged()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var proplet = await host.AddPropletAsync();
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        for (var i = 0; i < 12; i++)
        {
            await host.Store.Proplets.RecordHeartbeatAsync(proplet.Id, start.AddSeconds(i), CancellationToken.None);
        }

        var all = await (await host.Http.GetAsync($"proplets/{proplet.Id}/alive-history")).ReadJsonAsync();
        var page = await (await host.Http.GetAsync($"proplets/{proplet.Id}/alive-history?offset=8&limit=5")).ReadJsonAsync();

        var times = all["history"]!.AsArray().Select(t => DateTimeOffset.Parse(t!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(10, all["total"]!.GetValue<int>());
        Assert.Equal(times.Order().ToList(), times);
        Assert.Equal(start.AddSeconds(2).ToUnixTimeMilliseconds(), times[0].ToUnixTimeMilliseconds());
        Assert.Equal(2, page["history"]!.AsArray().Count);
    }

    [Fact]
    public async Task AliveHistory_UnknownProplet_Returns404()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync($"proplets/{Guid.NewGuid()}/alive-history")).ReadErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Metrics_UnknownProplet_ReturnsEmptyPage()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var page = await (await host.Http.GetAsync("proplets/anything/metrics")).ReadJsonAsync();

        Assert.Equal(0, page["total"]!.GetValue<int>());
        Assert.Empty(page["metrics"]!.AsArray());
    }

    [Fact]
    public async Task Metrics_BadLimit_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync("proplets/anything/metrics?limit=x")).ReadErrorAsync(HttpStatusCode.BadRequest);
    }
}
