using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Propeller.Testing;
using Propeller.Testing.Registry;

namespace Propeller.Cli.Tests.Commands;

/// <summary><c>propeller push</c> against Debian's docker-registry on loopback.</summary>
public sealed class PushCommandTests
{
    [Fact]
    public async Task Push_AnonymousRegistry_PrintsManifestDigestAndStoresAWasmArtifact()
    {
        await using var registry = await RegistryProcess.StartAsync();
        var wasm = Wasm("add.wat");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["push", RepoPaths.Example("add", "add.wat"), $"{registry.Host}/apps/add:v1"], output, error);

        Assert.True(exit == 0, error.ToString());
        var digest = output.ToString().Trim();
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{registry.BaseUrl}/v2/apps/add/manifests/v1");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        using var response = await http.SendAsync(request);
        var manifestBytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifestBytes)));
        using var manifest = JsonDocument.Parse(manifestBytes);
        Assert.Equal("application/vnd.wasm.config.v0+json", manifest.RootElement.GetProperty("config").GetProperty("mediaType").GetString());
        var layer = Assert.Single(manifest.RootElement.GetProperty("layers").EnumerateArray().ToList());
        Assert.Equal("application/wasm", layer.GetProperty("mediaType").GetString());
        var layerDigest = layer.GetProperty("digest").GetString();
        var blob = await http.GetByteArrayAsync($"{registry.BaseUrl}/v2/apps/add/blobs/{layerDigest}");
        Assert.Equal(wasm, blob);
    }

    [Fact]
    public async Task Push_Json_PrintsReferenceDigestsAndSize()
    {
        await using var registry = await RegistryProcess.StartAsync();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["push", RepoPaths.Example("add", "add.wat"), $"{registry.Host}/apps/add:v2", "--json"], output, error);

        Assert.True(exit == 0, error.ToString());
        using var json = JsonDocument.Parse(output.ToString());
        var digest = json.RootElement.GetProperty("digest").GetString();
        Assert.StartsWith("sha256:", digest, StringComparison.Ordinal);

        // The printed reference is pinned to what was pushed, ready for a task's image_url.
        Assert.Equal($"{registry.Host}/apps/add:v2@{digest}", json.RootElement.GetProperty("reference").GetString());
        Assert.StartsWith("sha256:", json.RootElement.GetProperty("layer_digest").GetString(), StringComparison.Ordinal);
        Assert.Equal(Wasm("add.wat").Length, json.RootElement.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task Push_BasicAuthRegistry_RightCredentialsSucceedWrongOnesFailClearly()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Basic);
        var file = RepoPaths.Example("add", "add.wat");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var denied = await CliApp.RunAsync(["push", file, $"{registry.Host}/apps/add:v1", "-u", registry.Username!, "-p", "wrong"], output, error);
        var pushed = await CliApp.RunAsync(["push", file, $"{registry.Host}/apps/add:v1", "-u", registry.Username!, "-p", registry.Password!], output, error);

        Assert.Equal(1, denied);
        Assert.Contains("401", error.ToString(), StringComparison.Ordinal);
        Assert.True(pushed == 0, error.ToString());
    }

    [Fact]
    public async Task Push_TokenAuthRegistry_GetsAPushTokenFromTheRealm()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(
            ["push", RepoPaths.Example("add", "add.wat"), $"{registry.Host}/apps/add:v1", "-u", registry.Username!, "-p", registry.Password!], output, error);

        Assert.True(exit == 0, error.ToString());
        Assert.Contains("repository:apps/add:pull,push", registry.TokenScopes);
    }

    [Fact]
    public async Task Push_InvalidReference_ExitsNonZeroWithoutContactingAnyone()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["push", RepoPaths.Example("add", "add.wat"), "127.0.0.1:1/Bad Repo:tag"], output, error);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: invalid reference", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_MissingFile_ExitsNonZero()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["push", "/no/such/file.wasm", "127.0.0.1:1/apps/x:1"], output, error);

        Assert.Equal(1, exit);
        Assert.Contains("does not exist", error.ToString(), StringComparison.Ordinal);
    }

    private static byte[] Wasm(string file) => Proplet.Runtimes.WatCompiler.ToWasm(File.ReadAllText(RepoPaths.Example("add", file)));
}
