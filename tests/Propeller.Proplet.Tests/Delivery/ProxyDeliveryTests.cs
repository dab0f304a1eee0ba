using System.Diagnostics;
using System.Text.Json;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Delivery;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Tasks;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Delivery;

/// <summary>Tasks whose <c>image_url</c> goes through the proxy; the test plays the proxy on the real broker.</summary>
public sealed class ProxyDeliveryTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    private const string ChunkTopic = "registry/server";
    private const string StatusTopic = "registry/status";
    private const string RequestTopic = "registry/proplet";

    [Fact]
    public async Task Proxy_ChunksOutOfOrderWithADuplicate_AssembleAndRun()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/add:v1";
        var parts = ProxyChunks.Split(ExampleWasm.Add, 3);

        await StartAsync(proplet, "p1", app);
        var request = await proplet.WaitForAsync(RequestTopic, _ => true);
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 2, 3, parts[2]));
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 0, 3, parts[0]));
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 0, 3, [0xFF, 0xFF, 0xFF]));
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 1, 3, parts[1]));

        Assert.Equal("30", (await proplet.ResultAsync("p1")).Text("results"));
        Assert.Equal(app, request.Text("app_name"));
        Assert.False(request.Payload.TryGetProperty("digest", out _));
        Assert.Equal(["app_name"], request.Payload.EnumerateObject().Select(p => p.Name));
        var metrics = proplet.Service<PropletMetrics>();
        Assert.Equal(1, metrics.BinaryFetches(TaskBinarySource.ProxySource));
        Assert.Equal(1, metrics.BinaryCacheMisses);
        Assert.Equal(0, proplet.Service<RegistryBinarySource>().PendingAssemblies);
    }

    [Fact]
    public async Task Proxy_IndexOutOfRangeAndMismatchingTotal_AreRejectedWithoutCorruption()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/add:range";
        var parts = ProxyChunks.Split(ExampleWasm.Add, 3);

        await StartAsync(proplet, "p2", app);
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 0, 3, parts[0]));
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 3, 3, [0xFF]));
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, -1, 3, [0xFF]));
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 1, 4, [0xFF]));
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 1, 0, [0xFF]));
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 2, 3, parts[2]));
        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Count(e => e.EventId.Id == EventIds.ChunkRejected) == 4, "the four bad chunks to be rejected");
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 1, 3, parts[1]));

        Assert.Equal("30", (await proplet.ResultAsync("p2")).Text("results"));
    }

    [Fact]
    public async Task Proxy_UndecodableBase64_IsDroppedAndTheGoodCopyCompletes()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/add:b64";
        var parts = ProxyChunks.Split(ExampleWasm.Add, 2);

        await StartAsync(proplet, "b64", app);
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 0, 2, parts[0]));
        await proplet.PublishAsync(ChunkTopic, """{"app_name":"registry.test/wasm/add:b64","chunk_idx":1,"total_chunks":2,"data":"!!not base64!!"}""");
        await Eventually.TrueAsync(() => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.ChunkRejected), "the bad chunk to be rejected");
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 1, 2, parts[1]));

        Assert.Equal("30", (await proplet.ResultAsync("b64")).Text("results"));
    }

    [Fact]
    public async Task Proxy_ErrorStatus_FailsTheTaskAtOnceWithThatText()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/missing:v1";
        var clock = Stopwatch.StartNew();

        await StartAsync(proplet, "err", app);
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await proplet.PublishAsync(StatusTopic, ProxyChunks.Error(app, "MANIFEST_UNKNOWN: manifest unknown"));
        var result = await proplet.ResultAsync("err");

        Assert.Equal("MANIFEST_UNKNOWN: manifest unknown", result.Text("error"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(0, proplet.Service<RegistryBinarySource>().Waiting);
    }

    [Fact]
    public async Task Proxy_ErrorStatusForAnotherApp_LeavesTheWaiterAlone()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/add:mine";

        await StartAsync(proplet, "mine", app);
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await proplet.PublishAsync(StatusTopic, ProxyChunks.Error("registry.test/wasm/other:v1", "boom"));
        await DeliverAsync(proplet, app, ExampleWasm.Add, 2);

        Assert.Equal("30", (await proplet.ResultAsync("mine")).Text("results"));
    }

    [Fact]
    public async Task Proxy_PinnedReferenceSecondRun_UsesTheCacheWithoutAskingTheProxy()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var app = "registry.test/wasm/add@sha256:" + new string('a', 64);

        await StartAsync(proplet, "pin1", app);
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await DeliverAsync(proplet, app, ExampleWasm.Add, 2, ProxyChunks.Digest(ExampleWasm.Add));
        Assert.Equal("30", (await proplet.ResultAsync("pin1")).Text("results"));
        await StartAsync(proplet, "pin2", app);
        var second = await proplet.ResultAsync("pin2");

        Assert.Equal("30", second.Text("results"));
        Assert.Single(proplet.Messages(RequestTopic));
        var metrics = proplet.Service<PropletMetrics>();
        Assert.Equal(1, metrics.BinaryCacheHits);
        Assert.Equal(2, metrics.BinaryFetches(TaskBinarySource.ProxySource));
    }

    [Fact]
    public async Task Proxy_UnchangedStatusForTheDigestSent_ServesFromTheCache()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/add:latest";
        var digest = ProxyChunks.Digest(ExampleWasm.Add);

        await StartAsync(proplet, "u1", app);
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await DeliverAsync(proplet, app, ExampleWasm.Add, 3, digest);
        await proplet.ResultAsync("u1");
        await StartAsync(proplet, "u2", app);
        var again = await proplet.WaitForAsync(RequestTopic, m => m.Text("digest") is not null);
        await proplet.PublishAsync(StatusTopic, ProxyChunks.Unchanged(app, again.Text("digest")!));

        Assert.Equal("30", (await proplet.ResultAsync("u2")).Text("results"));
        Assert.Equal(digest, again.Text("digest"));
        Assert.Equal(app, again.Text("app_name"));
        Assert.Equal(1, proplet.Service<PropletMetrics>().BinaryCacheHits);
    }

    [Fact]
    public async Task Proxy_UnchangedStatusForADigestNotHeld_AsksForTheChunks()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/add:other";

        await StartAsync(proplet, "n1", app);
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await proplet.PublishAsync(StatusTopic, ProxyChunks.Unchanged(app, "sha256:" + new string('b', 64)));
        await Eventually.TrueAsync(() => proplet.Messages(RequestTopic).Count == 2, "a second fetch request");
        await DeliverAsync(proplet, app, ExampleWasm.Add, 2);

        Assert.Equal("30", (await proplet.ResultAsync("n1")).Text("results"));
        Assert.Null(proplet.Messages(RequestTopic)[1].Text("digest"));
    }

    [Fact]
    public async Task Proxy_TwoTasksOnOneAppName_BothCompleteFromOneDelivery()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/add:shared";
        var source = proplet.Service<RegistryBinarySource>();

        await StartAsync(proplet, "s1", app);
        await StartAsync(proplet, "s2", app);
        await Eventually.TrueAsync(() => source.Waiting == 2, "both tasks to wait");
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await DeliverAsync(proplet, app, ExampleWasm.Add, 3, ProxyChunks.Digest(ExampleWasm.Add));

        Assert.Equal("30", (await proplet.ResultAsync("s1")).Text("results"));
        Assert.Equal("30", (await proplet.ResultAsync("s2")).Text("results"));
        Assert.Single(proplet.Messages(RequestTopic));
        Assert.Equal(2, proplet.Service<PropletMetrics>().BinaryFetches(TaskBinarySource.ProxySource));
    }

    [Fact]
    public async Task Proxy_NoAnswer_TimesOutWithTheOriginalText()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            [PropletVariables.ChunkTimeout] = "2",
        });

        await StartAsync(proplet, "lost", "registry.test/wasm/add:lost");

        Assert.Equal(RegistryBinarySource.ChunkTimeoutError, (await proplet.ResultAsync("lost")).Text("error"));
        Assert.Equal(0, proplet.Service<RegistryBinarySource>().Waiting);
    }

    [Fact]
    public async Task Proxy_StopDuringTheWait_CancelsOnlyThatTask()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/add:stop";
        var source = proplet.Service<RegistryBinarySource>();
        var parts = ProxyChunks.Split(ExampleWasm.Add, 2);

        await StartAsync(proplet, "stopped", app);
        await StartAsync(proplet, "kept", app);
        await Eventually.TrueAsync(() => source.Waiting == 2, "both tasks to wait");
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 0, 2, parts[0]));
        await Eventually.TrueAsync(() => source.PendingAssemblies == 1, "the first chunk to be held");
        await proplet.StopTaskAsync("stopped");

        Assert.Equal(TaskSupervisor.CancelledError, (await proplet.ResultAsync("stopped")).Text("error"));
        Assert.Equal(1, source.Waiting);
        Assert.Equal(1, source.PendingAssemblies);
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 1, 2, parts[1]));
        Assert.Equal("30", (await proplet.ResultAsync("kept")).Text("results"));
        Assert.Equal(0, proplet.Service<RunningTaskTable>().Count);
    }

    [Fact]
    public async Task Proxy_ChunksDoNotMatchTheirDigest_FailEveryWaiterClearly()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/add:tampered";
        var claimed = "sha256:" + new string('0', 64);

        await StartAsync(proplet, "t1", app);
        await StartAsync(proplet, "t2", app);
        await Eventually.TrueAsync(() => proplet.Service<RegistryBinarySource>().Waiting == 2, "both tasks to wait");
        await DeliverAsync(proplet, app, ExampleWasm.Add, 2, claimed);

        var expected = $"binary for {app} failed verification: the proxy announced {claimed} but the chunks hash to {ProxyChunks.Digest(ExampleWasm.Add)}";
        Assert.Equal(expected, (await proplet.ResultAsync("t1")).Text("error"));
        Assert.Equal(expected, (await proplet.ResultAsync("t2")).Text("error"));
        Assert.Equal(0, proplet.Service<BinaryCache>().Count);
    }

    [Fact]
    public async Task Proxy_ChunksOverTheSizeCap_FailTheTask()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            [PropletVariables.HttpMaxBytes] = "16",
        });
        const string app = "registry.test/wasm/huge:v1";

        await StartAsync(proplet, "huge", app);
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 0, 2, new byte[10]));
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 1, 2, new byte[10]));

        Assert.Equal($"binary for {app} from the proxy exceeds size limit (16 bytes)", (await proplet.ResultAsync("huge")).Text("error"));
        Assert.Equal(0, proplet.Service<RegistryBinarySource>().PendingAssemblies);
    }

    [Fact]
    public async Task Proxy_UnsolicitedChunks_AreNotAssembled()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk("registry.test/someone/else:v1", 0, 5, new byte[100]));
        await Eventually.TrueAsync(() => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.UnsolicitedChunk), "the chunk to be dropped");

        Assert.Equal(0, proplet.Service<RegistryBinarySource>().PendingAssemblies);
    }

    [Fact]
    public async Task Proxy_MalformedMessages_AreDroppedAndTheProxyPathStillWorks()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        const string app = "registry.test/wasm/add:after-junk";

        await proplet.PublishAsync(ChunkTopic, "not json");
        await proplet.PublishAsync(ChunkTopic, """{"app_name":"x","chunk_idx":"zero","total_chunks":1,"data":""}""");
        await proplet.PublishAsync(ChunkTopic, """{"app_name":"x","chunk_idx":0,"total_chunks":1,"data":null}""");
        await proplet.PublishAsync(ChunkTopic, "[1,2,3]");
        await proplet.PublishAsync(StatusTopic, """{"app_name":5}""");
        await proplet.PublishAsync(StatusTopic, "{");
        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Count(e => e.EventId.Id == EventIds.MalformedRegistryMessage) == 5, "five malformed messages to be dropped");
        await StartAsync(proplet, "ok", app);
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await DeliverAsync(proplet, app, ExampleWasm.Add, 1);

        Assert.Equal("30", (await proplet.ResultAsync("ok")).Text("results"));
    }

    [Fact]
    public async Task Proxy_ChunkMessageOverTheMaxPacketSize_IsDroppedWithAWarning()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            [PropletVariables.MqttMaxPacketSize] = "2000",
        });
        const string app = "registry.test/wasm/add:oversized";

        await StartAsync(proplet, "big-chunk", app);
        await proplet.WaitForAsync(RequestTopic, _ => true);
        await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, 0, 1, new byte[4000]));
        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.OversizedRegistryMessage), "the oversized chunk to be dropped");
        await DeliverAsync(proplet, app, ExampleWasm.Add, 1);

        Assert.Equal("30", (await proplet.ResultAsync("big-chunk")).Text("results"));
    }

    [Fact]
    public async Task Sweep_AssemblyOlderThanTheMaximumAge_IsRemovedWithAWarning()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var options = proplet.Options.Delivery with
        {
            AssemblyMaxAge = TimeSpan.FromMilliseconds(1),
            AssemblySweepInterval = TimeSpan.FromMilliseconds(200),
            ChunkTimeout = TimeSpan.FromSeconds(30),
        };
        using var source = new RegistryBinarySource(
            proplet.Service<Propeller.Contracts.Mqtt.PropellerMqttClient>(),
            proplet.Topics,
            options,
            proplet.Service<BinaryCache>(),
            new BinarySourceIndex(options),
            proplet.Service<PropletMetrics>(),
            TimeProvider.System,
            Microsoft.Extensions.Logging.LoggerFactoryExtensions.CreateLogger<RegistryBinarySource>(
                proplet.Service<Microsoft.Extensions.Logging.ILoggerFactory>()));
        using var stop = new CancellationTokenSource();
        const string app = "registry.test/wasm/add:stale";

        var wait = source.AcquireAsync(app, stop.Token);
        await Eventually.TrueAsync(() => source.Waiting == 1, "the waiter");
        source.OnChunk(JsonSerializer.Deserialize(
            ProxyChunks.Chunk(app, 0, 3, [1, 2, 3]), Propeller.Contracts.Serialization.PropellerJson.Context.ChunkMessage)!);
        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.StaleAssemblyRemoved && e.Message.Contains("1/3", StringComparison.Ordinal)),
            "the stale assembly to be swept");
        await stop.CancelAsync();

        Assert.Equal(0, source.PendingAssemblies);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Equal(0, source.Waiting);
    }

    private static Task StartAsync(PropletHarness proplet, string taskId, string imageUrl) =>
        proplet.StartTaskAsync(Payloads.Start(
            taskId, "add", wasm: null, imageUrl: imageUrl, inputs: ["\"10\"", "\"20\""], propletId: proplet.PropletId));

    private static async Task DeliverAsync(PropletHarness proplet, string app, byte[] wasm, int chunks, string? digest = null)
    {
        var parts = ProxyChunks.Split(wasm, chunks);
        for (var i = 0; i < parts.Length; i++)
        {
            await proplet.PublishAsync(ChunkTopic, ProxyChunks.Chunk(app, i, parts.Length, parts[i], digest));
        }
    }
}
