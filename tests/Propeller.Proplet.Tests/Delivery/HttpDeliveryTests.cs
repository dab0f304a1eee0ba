using Microsoft.AspNetCore.Http;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Tasks;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Delivery;

/// <summary>Tasks whose <c>image_url</c> is an <c>http://</c> URL, served by a real Kestrel server.</summary>
public sealed class HttpDeliveryTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Http_200WithApplicationWasm_RunsTheTask()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.MapBytes("/add.wasm", ExampleWasm.Add, "application/wasm");
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        var result = await RunAsync(proplet, "h1", url);

        Assert.Equal("30", result.Text("results"));
        var metrics = proplet.Service<PropletMetrics>();
        Assert.Equal(1, metrics.BinaryFetches(TaskBinarySource.HttpSource));
        Assert.Equal(1, metrics.BinaryCacheMisses);
        Assert.Equal(0, metrics.BinaryCacheHits);
        Assert.Equal(ExampleWasm.Add.Length, metrics.WasmFetchBytes);
    }

    [Fact]
    public async Task Http_NoContentType_RunsTheTask()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.MapBytes("/plain", ExampleWasm.Add, contentType: null);
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        Assert.Equal("30", (await RunAsync(proplet, "h2", url)).Text("results"));
    }

    [Fact]
    public async Task Http_OctetStreamWithParameters_RunsTheTask()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.MapBytes("/octets", ExampleWasm.Add, "application/octet-stream; charset=binary");
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        Assert.Equal("30", (await RunAsync(proplet, "h3", url)).Text("results"));
    }

    [Fact]
    public async Task Http_404_FailsWithTheOriginalText()
    {
        await using var server = await WasmHttpServer.StartAsync();
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var url = server.BaseUrl + "/missing.wasm";

        var result = await RunAsync(proplet, "h404", url);

        Assert.Equal("", result.Text("results"));
        Assert.Equal($"HTTP 404 Not Found fetching wasm from {url}", result.Text("error"));
        Assert.Equal(1, proplet.Service<PropletMetrics>().TasksFailed);
    }

    [Fact]
    public async Task Http_500_FailsWithTheOriginalText()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.Map("/broken", context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        });
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        Assert.Equal($"HTTP 500 Internal Server Error fetching wasm from {url}", (await RunAsync(proplet, "h500", url)).Text("error"));
    }

    [Fact]
    public async Task Http_TextHtml_FailsWithUnexpectedContentType()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.MapBytes("/page", "<html></html>"u8.ToArray(), "text/html");
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        Assert.Equal(
            $"unexpected content type 'text/html' fetching wasm from {url} (expected application/wasm or application/octet-stream)",
            (await RunAsync(proplet, "html", url)).Text("error"));
    }

    [Fact]
    public async Task Http_DeclaredLengthOverTheCap_FailsBeforeReadingTheBody()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.MapBytes("/big", new byte[1000], "application/wasm");
        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            [PropletVariables.HttpMaxBytes] = "100",
        });

        Assert.Equal(
            $"wasm response from {url} exceeds size limit (1000 > 100 bytes)",
            (await RunAsync(proplet, "big", url)).Text("error"));
    }

    [Fact]
    public async Task Http_ChunkedBodyOverTheCap_FailsWhileStreaming()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.Map("/stream", async context =>
        {
            context.Response.ContentType = "application/wasm";
            for (var i = 0; i < 10; i++)
            {
                await context.Response.Body.WriteAsync(new byte[64], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            [PropletVariables.HttpMaxBytes] = "100",
        });

        Assert.Equal($"wasm response from {url} exceeds size limit (100 bytes)", (await RunAsync(proplet, "chunked", url)).Text("error"));
    }

    [Fact]
    public async Task Http_ChunkedBodyUnderTheCap_RunsTheTask()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.Map("/stream", async context =>
        {
            context.Response.ContentType = "application/wasm";
            foreach (var piece in ProxyChunks.Split(ExampleWasm.Add, 3))
            {
                await context.Response.Body.WriteAsync(piece, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        Assert.Equal("30", (await RunAsync(proplet, "streamed", url)).Text("results"));
    }

    [Fact]
    public async Task Http_SecondTaskSameUrl_IsAConditionalGetServedFromTheCache()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.MapBytes("/etag.wasm", ExampleWasm.Add, "application/wasm", etag: "\"v1\"");
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        var first = await RunAsync(proplet, "first", url);
        var second = await RunAsync(proplet, "second", url);

        Assert.Equal("30", first.Text("results"));
        Assert.Equal("30", second.Text("results"));
        Assert.Equal(["", "\"v1\""], server.Requests.Select(r => r.IfNoneMatch));
        var metrics = proplet.Service<PropletMetrics>();
        Assert.Equal(1, metrics.BinaryCacheHits);
        Assert.Equal(1, metrics.BinaryCacheMisses);
        Assert.Equal(2, metrics.BinaryFetches(TaskBinarySource.HttpSource));
        Assert.Contains(proplet.Logs.Entries, e => e.EventId.Id == EventIds.HttpBinaryNotModified);
    }

    [Fact]
    public async Task Http_LastModifiedOnly_SendsIfModifiedSince()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var stamp = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var url = server.Map("/dated.wasm", async context =>
        {
            context.Response.Headers.LastModified = stamp.ToString("R");
            if (context.Request.Headers.IfModifiedSince.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            context.Response.ContentType = "application/wasm";
            await context.Response.Body.WriteAsync(ExampleWasm.Add);
        });
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await RunAsync(proplet, "d1", url);
        var second = await RunAsync(proplet, "d2", url);

        Assert.Equal("30", second.Text("results"));
        Assert.Equal(stamp.ToString("R"), server.Requests[1].IfModifiedSince);
        Assert.Equal(1, proplet.Service<PropletMetrics>().BinaryCacheHits);
    }

    [Fact]
    public async Task Http_CacheFileCorruptedBetweenRuns_DownloadsAgain()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.MapBytes("/etag.wasm", ExampleWasm.Add, "application/wasm", etag: "\"v1\"");
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await RunAsync(proplet, "first", url);
        var file = Directory.GetFiles(proplet.Options.Delivery.BinaryCacheDirectory!).Single();
        await File.WriteAllBytesAsync(file, [0, 1, 2]);

        var second = await RunAsync(proplet, "second", url);

        Assert.Equal("30", second.Text("results"));
        Assert.Equal(0, proplet.Service<PropletMetrics>().BinaryCacheHits);
        Assert.Equal(ExampleWasm.Add, await File.ReadAllBytesAsync(file));
        Assert.Contains(proplet.Logs.Entries, e => e.EventId.Id == EventIds.BinaryCacheEntryUnusable);
    }

    [Fact]
    public async Task Http_ServerNeverAnswers_FailsAfterTheTimeout()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.Map("/hang", context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            [PropletVariables.HttpTimeout] = "1",
        });

        Assert.Equal($"timed out after 1 s fetching wasm from {url}", (await RunAsync(proplet, "slow", url)).Text("error"));
    }

    [Fact]
    public async Task Http_StopDuringDownload_CancelsTheTask()
    {
        await using var server = await WasmHttpServer.StartAsync();
        var url = server.Map("/hang", context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("hung", "add", wasm: null, imageUrl: url, inputs: ["\"10\"", "\"20\""], propletId: proplet.PropletId));
        await Eventually.TrueAsync(() => server.Requests.Count == 1, "the download to start");
        await proplet.StopTaskAsync("hung");

        var result = await proplet.ResultAsync("hung");
        Assert.Equal(TaskSupervisor.CancelledError, result.Text("error"));
        Assert.Equal(0, proplet.Service<RunningTaskTable>().Count);
    }

    [Fact]
    public async Task Http_ConnectionRefused_FailsWithTheUrl()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}/add.wasm";
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        var error = (await RunAsync(proplet, "refused", url)).Text("error");

        Assert.StartsWith($"error fetching wasm from {url}: ", error, StringComparison.Ordinal);
    }

    internal static async Task<ReceivedMessage> RunAsync(PropletHarness proplet, string taskId, string imageUrl)
    {
        await proplet.StartTaskAsync(Payloads.Start(
            taskId, "add", wasm: null, imageUrl: imageUrl, inputs: ["\"10\"", "\"20\""], propletId: proplet.PropletId));
        return await proplet.ResultAsync(taskId);
    }
}
