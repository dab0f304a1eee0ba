using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Propeller.Testing.Registry;

namespace Propeller.Proxy.Tests.Registry;

/// <summary>The registry fixture other tests build on: each auth mode challenges and admits as a real registry does.</summary>
public sealed class RegistryFixtureTests
{
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task StartAsync_Anonymous_V2Answers200()
    {
        await using var registry = await RegistryProcess.StartAsync();

        using var response = await Http.GetAsync(new Uri(registry.BaseUrl + "/v2/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"http://{registry.Host}", registry.BaseUrl);
        Assert.StartsWith("127.0.0.1:", registry.Host, StringComparison.Ordinal);
        Assert.Null(registry.Username);
    }

    [Fact]
    public async Task StartAsync_Basic_V2WithoutCredentialsAnswers401WithBasicChallenge()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Basic);

        using var response = await Http.GetAsync(new Uri(registry.BaseUrl + "/v2/"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task StartAsync_Basic_V2WithRightCredentialsAnswers200AndWrongOnes401()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Basic);

        using var right = await GetAsync(registry.BaseUrl + "/v2/", Basic(registry.Username!, registry.Password!));
        using var wrong = await GetAsync(registry.BaseUrl + "/v2/", Basic(registry.Username!, "not-the-password"));

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task StartAsync_Token_V2WithoutCredentialsAnswers401WithBearerChallenge()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);

        using var response = await Http.GetAsync(new Uri(registry.BaseUrl + "/v2/"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains($"realm=\"{registry.TokenRealm}\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains($"service=\"{RegistryProcess.TokenService}\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.StartsWith("http://127.0.0.1:", registry.TokenRealm, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenServer_RightCredentials_TokenAuthorizesV2()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);

        var token = await FetchTokenAsync(registry, registry.Password!, scope: null);
        using var response = await GetAsync(registry.BaseUrl + "/v2/", new AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, registry.TokenRequests);
    }

    [Fact]
    public async Task TokenServer_WrongCredentials_Answers401WithJsonError()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);

        using var wrong = await GetAsync(TokenUrl(registry, "repository:app:pull"), Basic(registry.Username!, "not-the-password"));
        using var none = await GetAsync(TokenUrl(registry, "repository:app:pull"), authorization: null);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        using var error = JsonDocument.Parse(await wrong.Content.ReadAsStringAsync());
        Assert.Equal("UNAUTHORIZED", error.RootElement.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal(2, registry.TokenRequests);
    }

    [Fact]
    public async Task TokenServer_UnknownServicePostOrPath_IsRefused()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);
        var credentials = Basic(registry.Username!, registry.Password!);

        using var otherService = await GetAsync($"{registry.TokenRealm}?service=elsewhere&scope=repository:app:pull", credentials);
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(registry.TokenRealm!)) { Headers = { Authorization = credentials } };
        using var posted = await Http.SendAsync(post);
        using var otherPath = await GetAsync(registry.TokenRealm!.Replace("/token", "/other", StringComparison.Ordinal), credentials);

        Assert.Equal(HttpStatusCode.BadRequest, otherService.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, posted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherPath.StatusCode);
    }

    [Fact]
    public async Task TokenServer_ScopedToken_PullsThatRepositoryOnly()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);
        var (digest, _) = await PushArtifactAsync(registry, "apps/hello", "v1");

        var token = await FetchTokenAsync(registry, registry.Password!, "repository:apps/hello:pull");
        var other = await FetchTokenAsync(registry, registry.Password!, "repository:apps/other:pull");
        using var granted = await GetAsync($"{registry.BaseUrl}/v2/apps/hello/manifests/v1", new AuthenticationHeaderValue("Bearer", token), OciManifest);
        using var refused = await GetAsync($"{registry.BaseUrl}/v2/apps/hello/manifests/v1", new AuthenticationHeaderValue("Bearer", other), OciManifest);

        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.Equal(digest, granted.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(["repository:apps/hello:pull", "repository:apps/other:pull"], registry.TokenScopes);
        // The upload helpers mint their tokens in process, so only these two requests reached the token server.
        Assert.Equal(2, registry.TokenRequests);
    }

    [Theory]
    [InlineData(RegistryAuthMode.Anonymous)]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task PutManifestAsync_AnyAuthMode_ManifestAndBlobReadBack(RegistryAuthMode mode)
    {
        await using var registry = await RegistryProcess.StartAsync(mode);

        var (digest, manifest) = await PushArtifactAsync(registry, "demo/app", "latest");
        var layer = Encoding.UTF8.GetBytes("\0asm-not-really");
        var authorization = Authorization(registry, "demo/app");
        using var byTag = await GetAsync($"{registry.BaseUrl}/v2/demo/app/manifests/latest", authorization, OciManifest);
        using var byDigest = await GetAsync($"{registry.BaseUrl}/v2/demo/app/manifests/{digest}", authorization, OciManifest);
        using var blob = await GetAsync($"{registry.BaseUrl}/v2/demo/app/blobs/{Sha256(layer)}", authorization);

        Assert.Equal(HttpStatusCode.OK, byTag.StatusCode);
        Assert.Equal(manifest, await byTag.Content.ReadAsByteArrayAsync());
        Assert.Equal(OciManifest, byTag.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Sha256(manifest), digest);
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
        Assert.Equal(layer, await blob.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task CorruptBlob_StoredBlob_DownloadNoLongerMatchesDigest()
    {
        await using var registry = await RegistryProcess.StartAsync();
        var bytes = RandomNumberGenerator.GetBytes(4096);
        var digest = await registry.PutBlobAsync("demo/corrupt", bytes);
        Assert.Equal(Sha256(bytes), digest);

        registry.CorruptBlob(digest);
        using var response = await Http.GetAsync(new Uri($"{registry.BaseUrl}/v2/demo/corrupt/blobs/{digest}"));
        var served = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes.Length, served.Length);
        Assert.NotEqual(digest, Sha256(served));
    }

    [Fact]
    public async Task CorruptBlob_UnknownDigest_Throws()
    {
        await using var registry = await RegistryProcess.StartAsync();

        Assert.Throws<FileNotFoundException>(() => registry.CorruptBlob(Sha256([1, 2, 3])));
        Assert.Throws<ArgumentException>(() => registry.CorruptBlob("sha256:not-hex"));
    }

    [Fact]
    public async Task DisposeAsync_RunningRegistry_StopsItAndDeletesItsStorage()
    {
        var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);
        var digest = await registry.PutBlobAsync("demo/gone", [1, 2, 3, 4]);
        var blobFile = registry.BlobPath(digest);
        var realm = registry.TokenRealm!;
        Assert.True(File.Exists(blobFile));

        await registry.DisposeAsync();

        Assert.False(File.Exists(blobFile));
        await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync(new Uri(registry.BaseUrl + "/v2/")));
        await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync(new Uri(realm)));
    }

    [Fact]
    public async Task StartAsync_SeveralAtOnce_EachGetsItsOwnPort()
    {
        var registries = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RegistryProcess.StartAsync()));
        try
        {
            Assert.Equal(4, registries.Select(r => r.Port).Distinct().Count());
        }
        finally
        {
            foreach (var registry in registries)
            {
                await registry.DisposeAsync();
            }
        }
    }

    /// <summary>Pushes a small Wasm-style OCI artifact (config + one layer + manifest); returns the manifest digest and bytes.</summary>
    private static async Task<(string Digest, byte[] Manifest)> PushArtifactAsync(RegistryProcess registry, string repository, string tag)
    {
        var config = "{}"u8.ToArray();
        var layer = Encoding.UTF8.GetBytes("\0asm-not-really");
        var configDigest = await registry.PutBlobAsync(repository, config);
        var layerDigest = await registry.PutBlobAsync(repository, layer);
        var manifest = Encoding.UTF8.GetBytes(
            $$"""
            {"schemaVersion":2,"mediaType":"{{OciManifest}}",
             "config":{"mediaType":"application/vnd.wasm.config.v0+json","digest":"{{configDigest}}","size":{{config.Length}}},
             "layers":[{"mediaType":"application/wasm","digest":"{{layerDigest}}","size":{{layer.Length}}}]}
            """);
        var digest = await registry.PutManifestAsync(repository, tag, OciManifest, manifest);
        return (digest, manifest);
    }

    private static AuthenticationHeaderValue? Authorization(RegistryProcess registry, string repository) => registry.AuthMode switch
    {
        RegistryAuthMode.Basic => Basic(registry.Username!, registry.Password!),
        RegistryAuthMode.Token => new AuthenticationHeaderValue("Bearer", registry.IssueToken(repository, "pull")),
        _ => null,
    };

    private static async Task<string> FetchTokenAsync(RegistryProcess registry, string password, string? scope)
    {
        using var response = await GetAsync(TokenUrl(registry, scope), Basic(registry.Username!, password));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var token = body.RootElement.GetProperty("token").GetString()!;
        Assert.Equal(token, body.RootElement.GetProperty("access_token").GetString());
        Assert.True(body.RootElement.GetProperty("expires_in").GetInt32() > 0);
        return token;
    }

    private static string TokenUrl(RegistryProcess registry, string? scope) =>
        $"{registry.TokenRealm}?service={RegistryProcess.TokenService}" + (scope is null ? "" : "&scope=" + Uri.EscapeDataString(scope));

    private static async Task<HttpResponseMessage> GetAsync(string url, AuthenticationHeaderValue? authorization, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url)) { Headers = { Authorization = authorization } };
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        return await Http.SendAsync(request);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
