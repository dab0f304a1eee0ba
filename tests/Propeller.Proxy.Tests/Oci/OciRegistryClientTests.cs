using System.Text;
using System.Text.Json.Nodes;
using Propeller.Proxy.Diagnostics;
using Propeller.Proxy.Oci;
using Propeller.Proxy.Tests.Support;
using Propeller.Testing;
using Propeller.Testing.Registry;
using Xunit.Abstractions;

namespace Propeller.Proxy.Tests.Oci;

/// <summary>The client against a real anonymous docker-registry on loopback.</summary>
public sealed class OciRegistryClientTests(ITestOutputHelper output)
{
    private const long Cap = 64 * 1024 * 1024;

    [Fact]
    public async Task PushWasmAsync_ThenResolveAndDownloadByTag_RoundTrips()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var wasm = WasmArtifacts.Module(3000, seed: 1);
        var target = OciTestClient.Reference(registry, "apps/hello:v1");

        var pushed = await oci.Client.PushWasmAsync(target, wasm, CancellationToken.None);
        var resolved = await oci.Client.ResolveAsync(target, CancellationToken.None);
        var bytes = await oci.Client.DownloadBlobAsync(target, resolved.Layer, Cap, CancellationToken.None);

        Assert.Equal(wasm, bytes);
        Assert.Equal(new OciDescriptor("application/wasm", RegistryUploaderDigest(wasm), wasm.Length), pushed.Layer);
        Assert.Equal(pushed.Layer, resolved.Layer);
        Assert.Equal(pushed.ManifestDigest, resolved.ManifestDigest);
        Assert.Equal(target.WithDigest(pushed.ManifestDigest), pushed.Reference);
        Assert.Equal(target, resolved.Reference);
        oci.Logs.AssertNoUnexpectedErrors();
    }

    [Fact]
    public async Task ResolveAsync_ManifestDigestReference_ResolvesThePushedArtifact()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var wasm = WasmArtifacts.Module(2000, seed: 2);
        var pushed = await oci.Client.PushWasmAsync(OciTestClient.Reference(registry, "app:v1"), wasm, CancellationToken.None);
        // Move the tag, so only the digest still names the first artifact.
        await oci.Client.PushWasmAsync(OciTestClient.Reference(registry, "app:v1"), WasmArtifacts.Module(2000, seed: 3), CancellationToken.None);

        var byDigest = OciTestClient.Reference(registry, "app@" + pushed.ManifestDigest);
        var resolved = await oci.Client.ResolveAsync(byDigest, CancellationToken.None);
        var bytes = await oci.Client.DownloadBlobAsync(byDigest, resolved.Layer, Cap, CancellationToken.None);

        Assert.Equal(pushed.ManifestDigest, resolved.ManifestDigest);
        Assert.Equal(wasm, bytes);
    }

    [Fact]
    public async Task ResolveAsync_TagAndDigest_DigestWins()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var first = await oci.Client.PushWasmAsync(OciTestClient.Reference(registry, "app:one"), WasmArtifacts.Module(500, 4), CancellationToken.None);
        await oci.Client.PushWasmAsync(OciTestClient.Reference(registry, "app:two"), WasmArtifacts.Module(500, 5), CancellationToken.None);

        var resolved = await oci.Client.ResolveAsync(OciTestClient.Reference(registry, "app:two@" + first.ManifestDigest), CancellationToken.None);

        Assert.Equal(first.Layer, resolved.Layer);
    }

    [Fact]
    public async Task PushWasmAsync_SameModuleTwice_SkipsBlobsTheRepositoryHas()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var wasm = WasmArtifacts.Module(1000, 6);

        var first = await oci.Client.PushWasmAsync(OciTestClient.Reference(registry, "app:a"), wasm, CancellationToken.None);
        var uploadedFirst = oci.Logs.Entries.Count(e => e.EventId.Id == EventIds.OciBlobUploaded);
        var second = await oci.Client.PushWasmAsync(OciTestClient.Reference(registry, "app:b"), wasm, CancellationToken.None);

        Assert.Equal(2, uploadedFirst);
        Assert.Equal(2, oci.Logs.Entries.Count(e => e.EventId.Id == EventIds.OciBlobUploaded));
        Assert.Equal(2, oci.Logs.Entries.Count(e => e.EventId.Id == EventIds.OciBlobExists));
        Assert.Equal(first.ManifestDigest, second.ManifestDigest);
    }

    [Fact]
    public async Task PushWasmAsync_Manifest_IsAnOciWasmArtifactWithTitle()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        await oci.Client.PushWasmAsync(OciTestClient.Reference(registry, "team/adder:v1"), WasmArtifacts.Module(300), CancellationToken.None);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{registry.BaseUrl}/v2/team/adder/manifests/v1");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = await http.SendAsync(request);
        var manifest = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("application/vnd.oci.image.manifest.v1+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, manifest["schemaVersion"]!.GetValue<int>());
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", manifest["mediaType"]!.GetValue<string>());
        Assert.Equal("application/vnd.wasm.config.v0+json", manifest["config"]!["mediaType"]!.GetValue<string>());
        Assert.Equal(RegistryUploaderDigest("{}"u8.ToArray()), manifest["config"]!["digest"]!.GetValue<string>());
        var layer = Assert.Single(manifest["layers"]!.AsArray())!;
        Assert.Equal("application/wasm", layer["mediaType"]!.GetValue<string>());
        Assert.Equal("adder.wasm", layer["annotations"]!["org.opencontainers.image.title"]!.GetValue<string>());
    }

    [Fact]
    public async Task PushWasmAsync_DigestOnlyTarget_StoresUnderTheDigest()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var wasm = WasmArtifacts.Module(400, 7);
        // Same module and title elsewhere gives the same manifest, so its digest is known before the push.
        var tagged = await oci.Client.PushWasmAsync(OciTestClient.Reference(registry, "other:v1"), wasm, "app.wasm", CancellationToken.None);

        var byDigest = OciTestClient.Reference(registry, "app@" + tagged.ManifestDigest);
        var pushed = await oci.Client.PushWasmAsync(byDigest, wasm, CancellationToken.None);
        var resolved = await oci.Client.ResolveAsync(byDigest, CancellationToken.None);

        Assert.Equal(tagged.ManifestDigest, pushed.ManifestDigest);
        Assert.Equal(wasm, await oci.Client.DownloadBlobAsync(byDigest, resolved.Layer, Cap, CancellationToken.None));
    }

    [Fact]
    public async Task PushWasmAsync_DigestThatDoesNotMatch_Refused()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var wrong = "sha256:" + new string('0', 64);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() =>
            oci.Client.PushWasmAsync(OciTestClient.Reference(registry, "app@" + wrong), WasmArtifacts.Module(300), CancellationToken.None));

        Assert.Contains($"not {wrong}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadBlobAsync_TamperedBlob_DigestMismatch()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var reference = OciTestClient.Reference(registry, "app:v1");
        var pushed = await oci.Client.PushWasmAsync(reference, WasmArtifacts.Module(5000, 8), CancellationToken.None);
        var resolved = await oci.Client.ResolveAsync(reference, CancellationToken.None);
        registry.CorruptBlob(pushed.Layer.Digest);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.DownloadBlobAsync(reference, resolved.Layer, Cap, CancellationToken.None));

        Assert.StartsWith($"digest mismatch for {reference}: expected {pushed.Layer.Digest}, got sha256:", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(pushed.Layer.Digest, ex.Message[(ex.Message.IndexOf("got", StringComparison.Ordinal))..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadBlobAsync_DeclaredSizeOverCap_RefusedWithLimitText()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var reference = OciTestClient.Reference(registry, "app:v1");
        var pushed = await oci.Client.PushWasmAsync(reference, WasmArtifacts.Module(5000), CancellationToken.None);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.DownloadBlobAsync(reference, pushed.Layer, 4999, CancellationToken.None));

        Assert.Equal($"artifact {reference} is larger than the 4999-byte limit (PROXY_MAX_ARTIFACT_BYTES)", ex.Message);
        Assert.Equal(pushed.Layer, (await oci.Client.ResolveAsync(reference, CancellationToken.None)).Layer);
        Assert.Equal(5000, (await oci.Client.DownloadBlobAsync(reference, pushed.Layer, 5000, CancellationToken.None)).Length);
    }

    [Fact]
    public async Task DownloadBlobAsync_DescriptorUnderstatesSize_StillCapped()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var reference = OciTestClient.Reference(registry, "app:v1");
        var pushed = await oci.Client.PushWasmAsync(reference, WasmArtifacts.Module(5000), CancellationToken.None);
        var lying = pushed.Layer with { Size = 100 };

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.DownloadBlobAsync(reference, lying, 1000, CancellationToken.None));

        Assert.Contains("larger than the 1000-byte limit (PROXY_MAX_ARTIFACT_BYTES)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadBlobAsync_UnknownBlob_NamesTheBlobAndRegistryError()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var reference = OciTestClient.Reference(registry, "app:v1");
        await oci.Client.PushWasmAsync(reference, WasmArtifacts.Module(300), CancellationToken.None);
        var missing = new OciDescriptor("application/wasm", "sha256:" + new string('a', 64), 10);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.DownloadBlobAsync(reference, missing, Cap, CancellationToken.None));

        Assert.Contains($"blob {missing.Digest} of {reference} not found", ex.Message, StringComparison.Ordinal);
        Assert.Contains("404 Not Found (BLOB_UNKNOWN: blob unknown to registry)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_UnknownTag_ManifestUnknownWithRegistryMessage()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        await oci.Client.PushWasmAsync(OciTestClient.Reference(registry, "app:v1"), WasmArtifacts.Module(300), CancellationToken.None);
        var missing = OciTestClient.Reference(registry, "app:v2");

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(missing, CancellationToken.None));

        Assert.Equal($"manifest unknown: registry {registry.Host} has no app:v2 ({missing}): 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)", ex.Message);
    }

    [Fact]
    public async Task ResolveAsync_UnknownRepository_QuotesTheRegistry()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(OciTestClient.Reference(registry, "nothing/here:v1"), CancellationToken.None));

        Assert.StartsWith("manifest unknown:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing/here:v1", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("404 Not Found (MANIFEST_UNKNOWN: manifest unknown)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_RegistryNotListening_NamesTheHost()
    {
        using var oci = new OciTestClient(output);
        var port = FreePort.Next();
        var reference = OciReference.Parse($"127.0.0.1:{port}/app:v1");

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(reference, CancellationToken.None));

        Assert.StartsWith($"cannot reach registry 127.0.0.1:{port} at http://127.0.0.1:{port} for {reference}: ", ex.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public async Task ResolveAsync_ImageIndex_SelectsTheWasmEntry()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var linux = await PlantManifestAsync(registry, "multi", "linux", [("application/vnd.oci.image.layer.v1.tar+gzip", Encoding.UTF8.GetBytes(new string('x', 4000)))]);
        var wasm = WasmArtifacts.Module(700, 9);
        var wasi = await PlantManifestAsync(registry, "multi", "wasi", [("application/wasm", wasm)]);
        var index = Index(
            (linux, new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" }),
            (wasi, new JsonObject { ["os"] = "wasip1", ["architecture"] = "wasm" }));
        var indexDigest = await registry.PutManifestAsync("multi", "v1", "application/vnd.oci.image.index.v1+json", index);
        var reference = OciTestClient.Reference(registry, "multi:v1");

        var resolved = await oci.Client.ResolveAsync(reference, CancellationToken.None);

        Assert.Equal(indexDigest, resolved.ManifestDigest);
        Assert.Equal(new OciDescriptor("application/wasm", RegistryUploaderDigest(wasm), wasm.Length), resolved.Layer);
        Assert.Equal(wasm, await oci.Client.DownloadBlobAsync(reference, resolved.Layer, Cap, CancellationToken.None));
        Assert.Contains(oci.Logs.Entries, e => e.EventId.Id == EventIds.OciIndexEntrySelected && e.Message.Contains(wasi, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("wasip2", "wasm32")]
    [InlineData("wasi", "unknown")]
    [InlineData("unknown", "wasm")]
    public async Task ResolveAsync_ImageIndexWasmPlatformVariants_Selected(string os, string architecture)
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var arm = await PlantManifestAsync(registry, "multi", "arm", [("application/wasm", WasmArtifacts.Module(300, 1))]);
        var wasm = WasmArtifacts.Module(300, 2);
        var wasi = await PlantManifestAsync(registry, "multi", "wasi", [("application/wasm", wasm)]);
        var index = Index(
            (arm, new JsonObject { ["os"] = "linux", ["architecture"] = "arm64" }),
            (wasi, new JsonObject { ["os"] = os, ["architecture"] = architecture }));
        await registry.PutManifestAsync("multi", "v1", "application/vnd.oci.image.index.v1+json", index);

        var resolved = await oci.Client.ResolveAsync(OciTestClient.Reference(registry, "multi:v1"), CancellationToken.None);

        Assert.Equal(RegistryUploaderDigest(wasm), resolved.Layer.Digest);
    }

    [Fact]
    public async Task ResolveAsync_DockerManifestList_SelectsTheWasmEntry()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        const string docker = "application/vnd.docker.distribution.manifest.v2+json";
        var amd = await PlantManifestAsync(registry, "multi", "amd", [("application/vnd.docker.image.rootfs.diff.tar.gzip", WasmArtifacts.Module(900, 1))], docker);
        var wasm = WasmArtifacts.Module(300, 2);
        var wasi = await PlantManifestAsync(registry, "multi", "wasi", [("application/vnd.docker.image.rootfs.diff.tar.gzip", wasm)], docker);
        var list = Index(
            "application/vnd.docker.distribution.manifest.list.v2+json",
            docker,
            (amd, new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" }),
            (wasi, new JsonObject { ["os"] = "wasip1", ["architecture"] = "wasm32" }));
        await registry.PutManifestAsync("multi", "v1", "application/vnd.docker.distribution.manifest.list.v2+json", list);

        var resolved = await oci.Client.ResolveAsync(OciTestClient.Reference(registry, "multi:v1"), CancellationToken.None);

        Assert.Equal(RegistryUploaderDigest(wasm), resolved.Layer.Digest);
    }

    [Fact]
    public async Task ResolveAsync_ImageIndexWithoutWasmPlatform_TakesTheFirstEntry()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var firstWasm = WasmArtifacts.Module(300, 1);
        var first = await PlantManifestAsync(registry, "multi", "a", [("application/wasm", firstWasm)]);
        var second = await PlantManifestAsync(registry, "multi", "b", [("application/wasm", WasmArtifacts.Module(300, 2))]);
        await registry.PutManifestAsync("multi", "v1", "application/vnd.oci.image.index.v1+json",
            Index((first, new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" }), (second, new JsonObject { ["os"] = "linux", ["architecture"] = "arm64" })));

        var resolved = await oci.Client.ResolveAsync(OciTestClient.Reference(registry, "multi:v1"), CancellationToken.None);

        Assert.Equal(RegistryUploaderDigest(firstWasm), resolved.Layer.Digest);
    }

    [Fact]
    public async Task ResolveAsync_EmptyImageIndex_ClearError()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        await registry.PutManifestAsync("multi", "v1", "application/vnd.oci.image.index.v1+json", Index());
        var reference = OciTestClient.Reference(registry, "multi:v1");

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(reference, CancellationToken.None));

        Assert.Equal($"image index of {reference} lists no manifests", ex.Message);
    }

    [Fact]
    public async Task ResolveAsync_WasmMediaTypeLayer_WinsOverALargerLayer()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var wasm = WasmArtifacts.Module(300, 3);
        await PlantManifestAsync(registry, "app", "v1",
        [
            ("application/vnd.oci.image.layer.v1.tar", Encoding.UTF8.GetBytes(new string('t', 6000))),
            ("application/wasm", wasm),
            ("application/octet-stream", Encoding.UTF8.GetBytes(new string('o', 5000))),
        ]);

        var resolved = await oci.Client.ResolveAsync(OciTestClient.Reference(registry, "app:v1"), CancellationToken.None);

        Assert.Equal(new OciDescriptor("application/wasm", RegistryUploaderDigest(wasm), 300), resolved.Layer);
        Assert.DoesNotContain(oci.Logs.Entries, e => e.EventId.Id == EventIds.OciLayerFallback);
    }

    [Fact]
    public async Task ResolveAsync_SeveralWasmMediaTypes_MostSpecificFirst()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var content = WasmArtifacts.Module(200, 4);
        await PlantManifestAsync(registry, "app", "v1",
        [
            ("application/wasm", WasmArtifacts.Module(900, 5)),
            ("application/vnd.bytecodealliance.wasm.component.layer.v0+wasm", WasmArtifacts.Module(800, 6)),
            ("application/vnd.wasm.content.layer.v1+wasm", content),
        ]);

        var resolved = await oci.Client.ResolveAsync(OciTestClient.Reference(registry, "app:v1"), CancellationToken.None);

        Assert.Equal(RegistryUploaderDigest(content), resolved.Layer.Digest);
    }

    [Fact]
    public async Task ResolveAsync_NoWasmMediaType_FallsBackToTheLargestLayer()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var largest = WasmArtifacts.Module(900, 7);
        await PlantManifestAsync(registry, "app", "v1",
        [
            ("application/octet-stream", WasmArtifacts.Module(300, 8)),
            ("application/vnd.oci.image.layer.v1.tar", largest),
            ("application/octet-stream", WasmArtifacts.Module(899, 9)),
        ]);

        var resolved = await oci.Client.ResolveAsync(OciTestClient.Reference(registry, "app:v1"), CancellationToken.None);

        Assert.Equal(new OciDescriptor("application/vnd.oci.image.layer.v1.tar", RegistryUploaderDigest(largest), 900), resolved.Layer);
        Assert.Contains(oci.Logs.Entries, e => e.EventId.Id == EventIds.OciLayerFallback);
    }

    [Fact]
    public async Task ResolveAsync_ManifestWithoutLayers_NoValidLayersFound()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        await PlantManifestAsync(registry, "app", "v1", []);
        var reference = OciTestClient.Reference(registry, "app:v1");

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(reference, CancellationToken.None));

        Assert.Equal($"no valid layers found in manifest {reference}", ex.Message);
    }

    [Fact]
    public async Task ResolveAsync_DockerV2Manifest_Supported()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var oci = new OciTestClient(output);
        var wasm = WasmArtifacts.Module(600, 10);
        await PlantManifestAsync(registry, "app", "v1", [("application/vnd.wasm.content.layer.v1+wasm", wasm)], "application/vnd.docker.distribution.manifest.v2+json");

        var resolved = await oci.Client.ResolveAsync(OciTestClient.Reference(registry, "app:v1"), CancellationToken.None);

        Assert.Equal(RegistryUploaderDigest(wasm), resolved.Layer.Digest);
    }

    /// <summary>Uploads the config and <paramref name="layers"/> and puts a manifest under <paramref name="tag"/>; returns its digest.</summary>
    internal static async Task<string> PlantManifestAsync(RegistryProcess registry, string repository, string tag, IReadOnlyList<(string MediaType, byte[] Bytes)> layers, string mediaType = "application/vnd.oci.image.manifest.v1+json")
    {
        var config = "{}"u8.ToArray();
        var configDigest = await registry.PutBlobAsync(repository, config);
        var layerArray = new JsonArray();
        foreach (var (layerType, bytes) in layers)
        {
            var digest = await registry.PutBlobAsync(repository, bytes);
            layerArray.Add(new JsonObject { ["mediaType"] = layerType, ["digest"] = digest, ["size"] = bytes.Length });
        }

        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = mediaType,
            ["config"] = new JsonObject
            {
                ["mediaType"] = mediaType.Contains("docker", StringComparison.Ordinal) ? "application/vnd.docker.container.image.v1+json" : "application/vnd.wasm.config.v0+json",
                ["digest"] = configDigest,
                ["size"] = config.Length,
            },
            ["layers"] = layerArray,
        };
        return await registry.PutManifestAsync(repository, tag, mediaType, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    }

    private static byte[] Index(params (string Digest, JsonObject Platform)[] entries) =>
        Index("application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json", entries);

    private static byte[] Index(string mediaType, string entryMediaType, params (string Digest, JsonObject Platform)[] entries)
    {
        var manifests = new JsonArray();
        foreach (var (digest, platform) in entries)
        {
            manifests.Add(new JsonObject
            {
                ["mediaType"] = entryMediaType,
                ["digest"] = digest,
                // The registry checks that referenced manifests exist, not their sizes.
                ["size"] = 1,
                ["platform"] = platform,
            });
        }

        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = mediaType, ["manifests"] = manifests };
        return Encoding.UTF8.GetBytes(index.ToJsonString());
    }

    private static string RegistryUploaderDigest(byte[] bytes) =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
