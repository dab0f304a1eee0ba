using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Propeller.Contracts.Messages;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proxy.Tests.Fetching;

/// <summary>The fetch pipeline end to end: a real broker, a real registry, the proxy, and a recording proplet client.</summary>
public sealed class ChunkStreamingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Request_1200000ByteLayerWithDefaultChunkSize_PublishesThreeChunksWithDigest()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output, new Dictionary<string, string> { [ProxyVariables.ChunkSize] = "512000" });
        var wasm = WasmArtifacts.Module(1_200_000);
        var digest = await WasmArtifacts.PushAsync(env.Registry, "apps/big", "v1", wasm);
        var appName = $"{env.Registry.Host}/apps/big:v1";

        await env.RequestAsync(appName);

        var chunks = (await env.ChunksAsync(appName, 3)).OrderBy(c => c.ChunkIdx).ToList();
        Assert.Equal([0, 1, 2], chunks.Select(c => c.ChunkIdx));
        Assert.All(chunks, c => Assert.Equal(3, c.TotalChunks));
        Assert.All(chunks, c => Assert.Equal(digest, c.Digest));
        Assert.All(chunks, c => Assert.Equal(appName, c.AppName));
        var pieces = chunks.Select(c => Convert.FromBase64String(c.Data)).ToList();
        Assert.Equal([512_000, 512_000, 176_000], pieces.Select(p => p.Length));
        var assembled = pieces.SelectMany(p => p).ToArray();
        Assert.Equal(wasm, assembled);
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(assembled)));
        await env.IdleAsync();
        Assert.Equal(3, env.Metrics.ChunksPublished);
        Assert.Equal(1_200_000, env.Metrics.BytesPublished);
        Assert.Empty(env.Statuses);
    }

    [Fact]
    public async Task Request_5MiBArtifact_PublishesElevenChunks()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        var wasm = WasmArtifacts.Module(5 * 1024 * 1024, seed: 7);
        var digest = await WasmArtifacts.PushAsync(env.Registry, "apps/five", "latest", wasm);
        var appName = $"{env.Registry.Host}/apps/five";

        await env.RequestAsync(appName);

        var chunks = (await env.ChunksAsync(appName, 11)).OrderBy(c => c.ChunkIdx).ToList();
        Assert.Equal(Enumerable.Range(0, 11), chunks.Select(c => c.ChunkIdx));
        Assert.All(chunks, c => Assert.Equal(11, c.TotalChunks));
        Assert.Equal(wasm, chunks.SelectMany(c => Convert.FromBase64String(c.Data)).ToArray());
        Assert.All(chunks, c => Assert.Equal(digest, c.Digest));
    }

    [Fact]
    public async Task ConcurrentRequests_SameAppName_DownloadTheBlobOnce()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        var wasm = WasmArtifacts.Module(1_200_000, seed: 3);
        await WasmArtifacts.PushAsync(env.Registry, "apps/shared", "v1", wasm);
        var appName = $"{env.Registry.Host}/apps/shared:v1";

        await Task.WhenAll(env.RequestAsync(appName), env.RequestAsync(appName));

        await env.ChunksAsync(appName, 3);
        await Eventually.TrueAsync(() => env.Metrics.Requests == 2, "both requests to arrive");
        await env.IdleAsync();
        Assert.Equal(1, env.Metrics.BlobDownloads);

        // Either both shared one stream, or the second arrived mid-stream and got one more from the cache.
        var chunks = env.Chunks.Where(c => c.AppName == appName).ToList();
        Assert.True(chunks.Count is 3 or 6, $"expected 3 or 6 chunks, got {chunks.Count}");
        Assert.Equal(chunks.Count == 3 ? 0 : 1, env.Metrics.CacheHits);
        Assert.Equal(wasm, chunks.Take(3).OrderBy(c => c.ChunkIdx).SelectMany(c => Convert.FromBase64String(c.Data)).ToArray());
    }

    [Fact]
    public async Task Request_WithCurrentDigest_RepliesUnchangedWithoutChunks()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        var wasm = WasmArtifacts.Module(100_000, seed: 5);
        var digest = await WasmArtifacts.PushAsync(env.Registry, "apps/same", "v1", wasm);
        var appName = $"{env.Registry.Host}/apps/same:v1";

        await env.RequestAsync(appName, digest);

        var status = await env.StatusAsync(appName);
        Assert.True(status.Unchanged);
        Assert.Equal(digest, status.Digest);
        Assert.Null(status.Error);
        await env.IdleAsync();
        Assert.Empty(env.Chunks);
        Assert.Equal(0, env.Metrics.BlobDownloads);
        Assert.Equal(1, env.Metrics.UnchangedReplies);
        Assert.Equal(1, env.Metrics.ManifestResolutions);
    }

    [Fact]
    public async Task Request_WithOutdatedDigest_PublishesTheNewArtifact()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        var old = await WasmArtifacts.PushAsync(env.Registry, "apps/moving", "stable", WasmArtifacts.Module(50_000, seed: 1));
        var current = WasmArtifacts.Module(60_000, seed: 2);
        var digest = await WasmArtifacts.PushAsync(env.Registry, "apps/moving", "stable", current);
        var appName = $"{env.Registry.Host}/apps/moving:stable";

        await env.RequestAsync(appName, old);

        var chunk = Assert.Single(await env.ChunksAsync(appName, 1));
        Assert.Equal(digest, chunk.Digest);
        Assert.Equal(current, Convert.FromBase64String(chunk.Data));
        await env.IdleAsync();
        Assert.Empty(env.Statuses);
    }

    [Fact]
    public async Task LaterRequestWithoutDigest_ServesChunksFromCacheWithoutSecondDownload()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        var wasm = WasmArtifacts.Module(700_000, seed: 9);
        await WasmArtifacts.PushAsync(env.Registry, "apps/cached", "v1", wasm);
        var appName = $"{env.Registry.Host}/apps/cached:v1";
        await env.RequestAsync(appName);
        await env.ChunksAsync(appName, 2);
        await env.IdleAsync();

        await env.RequestAsync(appName);

        var chunks = await env.ChunksAsync(appName, 4);
        Assert.Equal(4, chunks.Count);
        await env.IdleAsync();
        Assert.Equal(1, env.Metrics.BlobDownloads);
        Assert.Equal(1, env.Metrics.CacheHits);
        Assert.Equal(2, env.Metrics.ManifestResolutions);
        Assert.Equal(wasm, chunks.Skip(2).OrderBy(c => c.ChunkIdx).SelectMany(c => Convert.FromBase64String(c.Data)).ToArray());
    }

    [Fact]
    public async Task Request_UnknownReference_PublishesTheRegistryErrorWithinSeconds()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        var appName = $"{env.Registry.Host}/apps/missing:v9";
        var clock = Stopwatch.StartNew();

        await env.RequestAsync(appName);

        var status = await env.StatusAsync(appName);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the error took {clock.Elapsed}");
        Assert.NotNull(status.Error);
        Assert.Contains("manifest unknown", status.Error, StringComparison.OrdinalIgnoreCase);
        Assert.False(status.Unchanged);
        await env.IdleAsync();
        Assert.Equal(1, env.Metrics.FetchFailures);
        Assert.Empty(env.Chunks);
    }

    [Fact]
    public async Task Request_BadReferenceText_PublishesInvalidReferenceError()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        const string appName = "not a reference!";

        await env.RequestAsync(appName);

        var status = await env.StatusAsync(appName);
        Assert.StartsWith($"invalid OCI reference '{appName}': ", status.Error, StringComparison.Ordinal);
        Assert.Equal(1, status.Error!.Split("invalid OCI reference").Length - 1);
        Assert.Equal(0, env.Metrics.ManifestResolutions);
    }

    [Fact]
    public async Task Request_EmptyLayer_PublishesEmptyArtifactError()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        await WasmArtifacts.PushAsync(env.Registry, "apps/empty", "v1", []);
        var appName = $"{env.Registry.Host}/apps/empty:v1";

        await env.RequestAsync(appName);

        // The registry client refuses a zero-size layer while choosing it; either way the proplet learns why.
        var status = await env.StatusAsync(appName);
        Assert.NotNull(status.Error);
        Assert.Contains(appName, status.Error, StringComparison.Ordinal);
        Assert.Empty(env.Chunks);
    }

    [Fact]
    public async Task MalformedRequests_AreDroppedAndTheProxyKeepsServing()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        var wasm = WasmArtifacts.Module(10_000);
        await WasmArtifacts.PushAsync(env.Registry, "apps/after", "v1", wasm);
        var appName = $"{env.Registry.Host}/apps/after:v1";

        await env.PublishRawAsync("{not json"u8.ToArray());
        await env.PublishRawAsync("""{"app_name": 42}"""u8.ToArray());
        await env.PublishRawAsync("""{"app_name": ""}"""u8.ToArray());
        await env.PublishRawAsync(Encoding.UTF8.GetBytes($$"""{"app_name":"{{new string('a', 70_000)}}"}"""));
        await env.RequestAsync(appName);

        var chunk = Assert.Single(await env.ChunksAsync(appName, 1));
        Assert.Equal(wasm, Convert.FromBase64String(chunk.Data));
        await Eventually.TrueAsync(() => env.Logs.Count(l => l.EventId.Id == 5150) >= 4, "four dropped-message warnings");
        Assert.Equal(1, env.Metrics.Requests);
        Assert.Empty(env.Statuses);
    }

    [Fact]
    public async Task Stop_WhileJobsRun_FinishesPublishingBeforeDisconnecting()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output, new Dictionary<string, string> { [ProxyVariables.ChunkSize] = "1024" });
        var wasm = WasmArtifacts.Module(1000 * 1024, seed: 4);
        await WasmArtifacts.PushAsync(env.Registry, "apps/drain", "v1", wasm);
        var appName = $"{env.Registry.Host}/apps/drain:v1";

        await env.RequestAsync(appName);
        await Eventually.TrueAsync(() => env.Metrics.ChunksPublished > 0, "the first chunk");
        await env.StopProxyAsync(TimeSpan.FromSeconds(60));

        var chunks = await env.ChunksAsync(appName, 1000);
        Assert.Equal(Enumerable.Range(0, 1000), chunks.Select(c => c.ChunkIdx).Order());
    }

    [Fact]
    public async Task StatusAndChunkPayloads_UseTheWireFieldNames()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output);
        var appName = $"{env.Registry.Host}/apps/none:v1";
        var raw = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await env.Proplet.SubscribeAsync(env.Topics.RegistryStatus, (_, payload, _) =>
        {
            raw.Enqueue(Encoding.UTF8.GetString(payload.Span));
            return Task.CompletedTask;
        }, CancellationToken.None);

        await env.RequestAsync(appName);

        await Eventually.TrueAsync(() => !raw.IsEmpty, "a raw status payload");
        var json = System.Text.Json.Nodes.JsonNode.Parse(raw.First())!.AsObject();
        Assert.Equal(appName, (string?)json["app_name"]);
        Assert.NotNull((string?)json["error"]);
        Assert.False(json.ContainsKey("unchanged"));
    }

    [Fact]
    public async Task RequestsDuringPublishing_GetExactlyOneMoreStreamFromTheCache()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output, new Dictionary<string, string> { [ProxyVariables.ChunkSize] = "1024" });
        var wasm = WasmArtifacts.Module(2000 * 1024, seed: 6);
        await WasmArtifacts.PushAsync(env.Registry, "apps/busy", "v1", wasm);
        var appName = $"{env.Registry.Host}/apps/busy:v1";
        await env.RequestAsync(appName);
        await Eventually.TrueAsync(() => env.Metrics.ChunksPublished > 0, "the first chunk");

        await Task.WhenAll(env.RequestAsync(appName), env.RequestAsync(appName));

        await env.ChunksAsync(appName, 4000);
        await env.IdleAsync();
        Assert.Equal(3, env.Metrics.Requests);
        Assert.Equal(4000, env.Chunks.Count(c => c.AppName == appName));
        Assert.Equal(1, env.Metrics.BlobDownloads);
        Assert.Equal(1, env.Metrics.CacheHits);
        Assert.Equal(2, env.Metrics.ManifestResolutions);
    }

    [Fact]
    public async Task Request_BasicAuthRegistryWithCredentials_IsServed()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(
            output,
            registryMode: Propeller.Testing.Registry.RegistryAuthMode.Basic,
            registryEnvironment: registry => new Dictionary<string, string>
            {
                [ProxyVariables.Authenticate] = "true",
                [ProxyVariables.RegistryUrl] = registry.Host,
                [ProxyVariables.RegistryUsername] = registry.Username!,
                [ProxyVariables.RegistryPassword] = registry.Password!,
            });
        var wasm = WasmArtifacts.Module(20_000, seed: 8);
        await WasmArtifacts.PushAsync(env.Registry, "private/app", "v1", wasm);
        var appName = $"{env.Registry.Host}/private/app:v1";

        await env.RequestAsync(appName);

        var chunk = Assert.Single(await env.ChunksAsync(appName, 1));
        Assert.Equal(wasm, Convert.FromBase64String(chunk.Data));
    }

    [Fact]
    public async Task Request_BasicAuthRegistryWithoutCredentials_PublishesTheRefusal()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output, registryMode: Propeller.Testing.Registry.RegistryAuthMode.Basic);
        await WasmArtifacts.PushAsync(env.Registry, "private/app", "v1", WasmArtifacts.Module(20_000));
        var appName = $"{env.Registry.Host}/private/app:v1";

        await env.RequestAsync(appName);

        var status = await env.StatusAsync(appName);
        Assert.NotNull(status.Error);
        Assert.Contains("401", status.Error, StringComparison.Ordinal);
        Assert.Empty(env.Chunks);
    }
}
