using Propeller.Proxy.Diagnostics;
using Propeller.Proxy.Oci;
using Propeller.Proxy.Tests.Support;
using Propeller.Testing.Registry;
using Xunit.Abstractions;

namespace Propeller.Proxy.Tests.Oci;

/// <summary>Basic, token-flow and static-token authentication against real docker-registry instances.</summary>
public sealed class OciRegistryAuthTests(ITestOutputHelper output)
{
    private const long Cap = 64 * 1024 * 1024;

    [Fact]
    public async Task BasicAuth_RightCredentials_PushResolveDownload()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Basic);
        using var oci = new OciTestClient(output, OciTestClient.Account(registry));
        var wasm = WasmArtifacts.Module(1500, 1);
        var reference = OciTestClient.Reference(registry, "secure/app:v1");

        await oci.Client.PushWasmAsync(reference, wasm, CancellationToken.None);
        var resolved = await oci.Client.ResolveAsync(reference, CancellationToken.None);

        Assert.Equal(wasm, await oci.Client.DownloadBlobAsync(reference, resolved.Layer, Cap, CancellationToken.None));
        Assert.Contains(oci.Logs.Entries, e => e.EventId.Id == EventIds.OciAuthChallenge && e.Message.Contains("Basic", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BasicAuth_CredentialRegistryWrittenAsUrl_StillMatches()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Basic);
        await WasmArtifacts.PushAsync(registry, "app", "v1", WasmArtifacts.Module(300));
        using var oci = new OciTestClient(output, new OciCredential($"http://{registry.Host}/", registry.Username, registry.Password, null));

        var resolved = await oci.Client.ResolveAsync(OciTestClient.Reference(registry, "app:v1"), CancellationToken.None);

        Assert.Equal(300, resolved.Layer.Size);
    }

    [Fact]
    public async Task BasicAuth_WrongPassword_DeniedWithRegistryError()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Basic);
        using var oci = new OciTestClient(output, OciTestClient.Account(registry, password: "wrong"));
        var reference = OciTestClient.Reference(registry, "app:v1");

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(reference, CancellationToken.None));

        Assert.Equal($"registry {registry.Host} denied access to app:v1: 401 Unauthorized (UNAUTHORIZED: authentication required)", ex.Message);
    }

    [Fact]
    public async Task BasicAuth_NoCredentials_DeniedAndSaysNoneAreConfigured()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Basic);
        using var oci = new OciTestClient(output, new OciCredential("other.example.com", "u", "p", null));

        var reference = OciTestClient.Reference(registry, "app:v1");

        var pull = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(reference, CancellationToken.None));
        var push = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.PushWasmAsync(reference, WasmArtifacts.Module(300), CancellationToken.None));

        Assert.Equal($"registry {registry.Host} denied access to app:v1: 401 Unauthorized (UNAUTHORIZED: authentication required); no credentials are configured for {registry.Host}", pull.Message);
        // The push's first request is a HEAD, whose 401 carries no body to quote.
        Assert.Equal($"registry {registry.Host} denied access to app:v1: 401 Unauthorized; no credentials are configured for {registry.Host}", push.Message);
    }

    [Fact]
    public async Task TokenAuth_RightCredentials_PushResolveDownloadWithScopedTokens()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);
        using var oci = new OciTestClient(output, OciTestClient.Account(registry));
        var wasm = WasmArtifacts.Module(2500, 2);
        var reference = OciTestClient.Reference(registry, "team/app:v1");

        var pushed = await oci.Client.PushWasmAsync(reference, wasm, CancellationToken.None);
        var resolved = await oci.Client.ResolveAsync(reference, CancellationToken.None);
        var bytes = await oci.Client.DownloadBlobAsync(reference, resolved.Layer, Cap, CancellationToken.None);

        Assert.Equal(wasm, bytes);
        Assert.Equal(pushed.ManifestDigest, resolved.ManifestDigest);
        Assert.Contains("repository:team/app:pull,push", registry.TokenScopes);
        Assert.Contains("repository:team/app:pull", registry.TokenScopes);
        // One token per scope: the push's and the pull's; every later request reused the cached one.
        Assert.Equal(2, registry.TokenRequests);
    }

    [Fact]
    public async Task TokenAuth_SecondResolve_UsesTheCachedToken()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);
        await WasmArtifacts.PushAsync(registry, "app", "v1", WasmArtifacts.Module(300));
        using var oci = new OciTestClient(output, OciTestClient.Account(registry));
        var reference = OciTestClient.Reference(registry, "app:v1");

        await oci.Client.ResolveAsync(reference, CancellationToken.None);
        var afterFirst = registry.TokenRequests;
        await oci.Client.ResolveAsync(reference, CancellationToken.None);

        Assert.Equal(1, afterFirst);
        Assert.Equal(1, registry.TokenRequests);
    }

    [Fact]
    public async Task TokenAuth_WrongCredentials_DeniedWithTokenServiceError()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);
        using var oci = new OciTestClient(output, OciTestClient.Account(registry, password: "wrong"));
        var reference = OciTestClient.Reference(registry, "app:v1");

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(reference, CancellationToken.None));

        Assert.Equal(
            $"registry {registry.Host} denied access to app:v1: token service {registry.TokenRealm} answered 401 Unauthorized (UNAUTHORIZED: authentication required: incorrect username or password)",
            ex.Message);
    }

    [Fact]
    public async Task TokenAuth_NoCredentials_AnonymousTokenRequestRefused()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);
        using var oci = new OciTestClient(output);

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(OciTestClient.Reference(registry, "app:v1"), CancellationToken.None));

        Assert.Contains("answered 401 Unauthorized", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith($"; no credentials are configured for {registry.Host}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, registry.TokenRequests);
    }

    [Fact]
    public async Task StaticToken_TokenOnlyCredential_SentAsBearerWithoutTokenRequests()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);
        var token = registry.IssueToken("app", "pull", "push");
        using var oci = new OciTestClient(output, new OciCredential(registry.Host, null, null, token));
        var wasm = WasmArtifacts.Module(800, 3);
        var reference = OciTestClient.Reference(registry, "app:v1");

        await oci.Client.PushWasmAsync(reference, wasm, CancellationToken.None);
        var resolved = await oci.Client.ResolveAsync(reference, CancellationToken.None);

        Assert.Equal(wasm, await oci.Client.DownloadBlobAsync(reference, resolved.Layer, Cap, CancellationToken.None));
        Assert.Equal(0, registry.TokenRequests);
    }

    [Fact]
    public async Task StaticToken_TokenForAnotherRepository_Denied()
    {
        await using var registry = await RegistryProcess.StartAsync(RegistryAuthMode.Token);
        await WasmArtifacts.PushAsync(registry, "app", "v1", WasmArtifacts.Module(300));
        using var oci = new OciTestClient(output, new OciCredential(registry.Host, null, null, registry.IssueToken("other", "pull")));

        var ex = await Assert.ThrowsAsync<OciRegistryException>(() => oci.Client.ResolveAsync(OciTestClient.Reference(registry, "app:v1"), CancellationToken.None));

        Assert.StartsWith($"registry {registry.Host} denied access to app:v1: 401 Unauthorized (UNAUTHORIZED: ", ex.Message, StringComparison.Ordinal);
    }
}
