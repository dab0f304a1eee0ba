using System.Net;
using System.Text.Json.Nodes;
using Propeller.Proxy.Hosting;
using Propeller.Proxy.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proxy.Tests.Hosting;

public sealed class ProxyAppTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Health_Get_ReportsOkForTheProxyService()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        using var http = new HttpClient { BaseAddress = ProxyApp.BaseAddress(env.Proxy) };

        using var response = await http.GetAsync(new Uri("health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ok", (string?)body["status"]);
        Assert.Equal("proxy", (string?)body["service"]);
    }

    [Fact]
    public async Task Metrics_AfterAFetch_ExposesTheProxyCounters()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        await WasmArtifacts.PushAsync(env.Registry, "apps/metered", "v1", WasmArtifacts.Module(2_000));
        var appName = $"{env.Registry.Host}/apps/metered:v1";
        await env.RequestAsync(appName);
        await env.ChunksAsync(appName, 1);
        await env.IdleAsync();
        using var http = new HttpClient { BaseAddress = ProxyApp.BaseAddress(env.Proxy) };

        var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));

        Assert.Contains("proxy_requests_total 1", text, StringComparison.Ordinal);
        Assert.Contains("proxy_blob_downloads_total 1", text, StringComparison.Ordinal);
        Assert.Contains("proxy_manifest_resolutions_total 1", text, StringComparison.Ordinal);
        Assert.Contains("proxy_chunks_published_total 1", text, StringComparison.Ordinal);
        Assert.Contains("proxy_bytes_published_total 2000", text, StringComparison.Ordinal);
        foreach (var name in new[] { "proxy_requests_deduplicated_total", "proxy_cache_hits_total", "proxy_unchanged_replies_total", "proxy_fetch_failures_total" })
        {
            Assert.Contains(name, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnknownPath_Get_Returns404()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        using var http = new HttpClient { BaseAddress = ProxyApp.BaseAddress(env.Proxy) };

        using var response = await http.GetAsync(new Uri("nothing", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task BrokerRestart_OnTheSamePort_ProxyResubscribesAndServesANewRequest()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        var wasm = WasmArtifacts.Module(30_000, seed: 11);
        await WasmArtifacts.PushAsync(env.Registry, "apps/restart", "v1", wasm);
        var appName = $"{env.Registry.Host}/apps/restart:v1";

        await env.RestartBrokerAsync(TimeSpan.FromMilliseconds(500));
        await Eventually.TrueAsync(() => env.Metrics.MqttConnects >= 2 && env.PropletConnects >= 2, "proxy and proplet to reconnect", TimeSpan.FromSeconds(60));
        await env.RequestAsync(appName);

        var chunk = Assert.Single(await env.ChunksAsync(appName, 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(wasm, Convert.FromBase64String(chunk.Data));
    }

    [Fact]
    public void LastWill_IsTheOriginalProxyOfflineNotice()
    {
        var json = JsonNode.Parse(ProxyMqttOptions.LastWill("proxy-1"))!.AsObject();

        Assert.Equal("offline", (string?)json["status"]);
        Assert.Equal("proxy-1", (string?)json["proplet_id"]);
        Assert.Equal(2, json.Count);
    }
}
