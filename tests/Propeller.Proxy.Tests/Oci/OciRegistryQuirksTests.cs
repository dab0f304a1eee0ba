using System.Text;
using System.Text.Json.Nodes;
using Propeller.Proxy.Oci;
using Propeller.Proxy.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Proxy.Tests.Oci;

/// <summary>Registry behaviours docker-registry 2.8 does not show, served by <see cref="QuirkyRegistryServer"/>.</summary>
public sealed class OciRegistryQuirksTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DownloadBlobAsync_RedirectToStorage_FollowedWithoutTheRegistryToken()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        var wasm = WasmArtifacts.Module(4000, 1);
        var reference = Plant(server, wasm);
        server.RequireToken = true;
        server.RedirectBlobs = true;
        using var oci = new OciTestClient(output);

        var resolved = await oci.Client.ResolveAsync(reference, CancellationToken.None);
        var bytes = await oci.Client.DownloadBlobAsync(reference, resolved.Layer, 1 << 20, CancellationToken.None);

        Assert.Equal(wasm, bytes);
        Assert.Contains(server.Requests, r => r.StartsWith($"GET /storage/{resolved.Layer.Digest} ", StringComparison.Ordinal) && r.EndsWith(' '));
    }

    [Fact]
    public async Task DownloadBlobAsync_NoContentLengthAndUnderstatedSize_AbortsOnceOverTheCap()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        var wasm = WasmArtifacts.Module(20_000, 2);
        var reference = Plant(server, wasm);
        server.StreamWithoutLength = true;
        using var oci = new OciTestClient(output);
        var resolved = await oci.Client.ResolveAsync(reference, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() =>
            oci.Client.DownloadBlobAsync(reference, resolved.Layer with { Size = 100 }, 5000, CancellationToken.None));

        Assert.Equal($"artifact {reference} is larger than the 5000-byte limit (PROXY_MAX_ARTIFACT_BYTES)", ex.Message);
    }

    [Fact]
    public async Task DownloadBlobAsync_NoContentLengthWithinCap_DownloadedAndVerified()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        var wasm = WasmArtifacts.Module(20_000, 3);
        var reference = Plant(server, wasm);
        server.StreamWithoutLength = true;
        using var oci = new OciTestClient(output);

        var resolved = await oci.Client.ResolveAsync(reference, CancellationToken.None);

        Assert.Equal(wasm, await oci.Client.DownloadBlobAsync(reference, resolved.Layer, 20_000, CancellationToken.None));
    }

    [Fact]
    public async Task DownloadBlobAsync_DescriptorSizeDiffersFromBlob_SizeMismatch()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        var wasm = WasmArtifacts.Module(2000, 4);
        var reference = Plant(server, wasm);
        using var oci = new OciTestClient(output);
        var resolved = await oci.Client.ResolveAsync(reference, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() =>
            oci.Client.DownloadBlobAsync(reference, resolved.Layer with { Size = 1000 }, 1 << 20, CancellationToken.None));

        Assert.Equal($"size mismatch for {reference}: the manifest declares 1000 bytes, the blob has 2000", ex.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PushWasmAsync_UploadLocationWithQuery_RelativeOrAbsolute_Uploads(bool relative)
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        server.RelativeUploadLocation = relative;
        using var oci = new OciTestClient(output);
        var wasm = WasmArtifacts.Module(3000, 5);
        var target = OciReference.Parse($"{server.Host}/app:v1");

        var pushed = await oci.Client.PushWasmAsync(target, wasm, CancellationToken.None);

        Assert.True(server.HasBlob(pushed.Layer.Digest));
        Assert.True(server.HasManifest("app", "v1"));
        Assert.Contains(server.Requests, r => r.StartsWith("PUT /uploads/", StringComparison.Ordinal) && r.Contains("?state=opaque&digest=sha256%3A", StringComparison.Ordinal));
        Assert.Equal(wasm, await oci.Client.DownloadBlobAsync(target, (await oci.Client.ResolveAsync(target, CancellationToken.None)).Layer, 1 << 20, CancellationToken.None));
    }

    [Fact]
    public async Task TokenFlow_AccessTokenOnly_CachedUntilExpiresInMinusMargin()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        var reference = Plant(server, WasmArtifacts.Module(300, 6));
        server.RequireToken = true;
        server.TokenLifetimeSeconds = 30;
        var clock = new OciTestClient.ManualClock();
        using var oci = new OciTestClient(output, clock);

        await oci.Client.ResolveAsync(reference, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(15));
        await oci.Client.ResolveAsync(reference, CancellationToken.None);
        var beforeExpiry = server.TokensIssued;
        clock.Advance(TimeSpan.FromSeconds(10));
        await oci.Client.ResolveAsync(reference, CancellationToken.None);

        Assert.Equal(1, beforeExpiry);
        Assert.Equal(2, server.TokensIssued);
        Assert.Contains(server.Requests, r => r.StartsWith("GET /auth?service=quirky&scope=repository%3Aapp%3Apull&scope=repository%3Aapp%3Apull%2Cpush ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TokenFlow_NoExpiresIn_DefaultsToSixtySeconds()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        var reference = Plant(server, WasmArtifacts.Module(300, 7));
        server.RequireToken = true;
        var clock = new OciTestClient.ManualClock();
        using var oci = new OciTestClient(output, clock);

        await oci.Client.ResolveAsync(reference, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(45));
        await oci.Client.ResolveAsync(reference, CancellationToken.None);
        var within = server.TokensIssued;
        clock.Advance(TimeSpan.FromSeconds(10));
        await oci.Client.ResolveAsync(reference, CancellationToken.None);

        Assert.Equal(1, within);
        Assert.Equal(2, server.TokensIssued);
    }

    [Fact]
    public async Task ResolveAsync_RegistryServesOtherBytesForADigest_DigestMismatch()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        var real = Plant(server, WasmArtifacts.Module(300, 8));
        var claimed = "sha256:" + new string('b', 64);
        server.PutManifest("app", claimed, "application/vnd.oci.image.manifest.v1+json", Manifest(server, WasmArtifacts.Module(300, 8)));
        var reference = OciReference.Parse($"{server.Host}/app@{claimed}");
        using var oci = new OciTestClient(output);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(reference, CancellationToken.None));

        Assert.StartsWith($"digest mismatch for {reference}: expected {claimed}, got sha256:", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(real);
    }

    [Fact]
    public async Task ResolveAsync_InvalidManifestJson_ClearError()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        server.PutManifest("app", "v1", "application/vnd.oci.image.manifest.v1+json", "{\"schemaVersion\":\"two\"}"u8.ToArray());
        var reference = OciReference.Parse($"{server.Host}/app:v1");
        using var oci = new OciTestClient(output);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(reference, CancellationToken.None));

        Assert.StartsWith($"registry {server.Host} returned an invalid manifest for {reference}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_SchemaVersionOne_Refused()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        server.PutManifest("app", "v1", "application/vnd.docker.distribution.manifest.v1+prettyjws", "{\"schemaVersion\":1,\"fsLayers\":[]}"u8.ToArray());
        using var oci = new OciTestClient(output);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(OciReference.Parse($"{server.Host}/app:v1"), CancellationToken.None));

        Assert.Contains("schemaVersion 1; only schema 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_Transient503_RetriedAndSucceeds()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        var wasm = WasmArtifacts.Module(300, 9);
        var reference = Plant(server, wasm);
        server.FailNext = 2;
        using var oci = new OciTestClient(output);

        var resolved = await oci.Client.ResolveAsync(reference, CancellationToken.None);

        Assert.Equal(wasm.Length, resolved.Layer.Size);
        Assert.Equal(2, oci.Logs.Entries.Count(e => e.EventId.Id == Propeller.Proxy.Diagnostics.EventIds.OciRequestRetried));
    }

    [Fact]
    public async Task ResolveAsync_Persistent503_FailsQuotingTheRegistry()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        var reference = Plant(server, WasmArtifacts.Module(300, 10));
        server.FailNext = 100;
        using var oci = new OciTestClient(output);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(reference, CancellationToken.None));

        Assert.Equal($"registry {server.Host} failed the request for manifest of {reference}: 503 Service Unavailable (UNAVAILABLE: try again later)", ex.Message);
        Assert.Equal(3, server.Requests.Count(r => r.StartsWith("GET /v2/app/manifests/v1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PushWasmAsync_503OnUploadStart_NotRetried()
    {
        await using var server = await QuirkyRegistryServer.StartAsync();
        using var oci = new OciTestClient(output);
        server.FailOnlyMethod = "POST";
        server.FailNext = 1;

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() =>
            oci.Client.PushWasmAsync(OciReference.Parse($"{server.Host}/app:v1"), WasmArtifacts.Module(300, 12), CancellationToken.None));

        Assert.Contains("blob upload", ex.Message, StringComparison.Ordinal);
        Assert.Contains("503 Service Unavailable (UNAVAILABLE: try again later)", ex.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal));
    }

    private static OciReference Plant(QuirkyRegistryServer server, byte[] wasm)
    {
        server.PutManifest("app", "v1", "application/vnd.oci.image.manifest.v1+json", Manifest(server, wasm));
        return OciReference.Parse($"{server.Host}/app:v1");
    }

    private static byte[] Manifest(QuirkyRegistryServer server, byte[] wasm)
    {
        var config = server.PutBlob("{}"u8.ToArray());
        var layer = server.PutBlob(wasm);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.wasm.config.v0+json", ["digest"] = config, ["size"] = 2 },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/wasm", ["digest"] = layer, ["size"] = wasm.Length }),
        };
        return Encoding.UTF8.GetBytes(manifest.ToJsonString());
    }
}
