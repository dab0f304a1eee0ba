using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Propeller.Proxy.Tests.Oci;

/// <summary>
/// A small distribution-API server on Kestrel for registry behaviours that docker-registry 2.8 does not produce but
/// other registries do: blobs served through a redirect to storage, blobs streamed without a Content-Length, upload
/// locations that are relative, a token service answering only <c>access_token</c> with a short lifetime.
/// Everything else (real pushes and pulls, auth) is tested against docker-registry itself.
/// </summary>
internal sealed class QuirkyRegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new();
    private readonly ConcurrentDictionary<string, (string MediaType, byte[] Body)> _manifests = new();
    private readonly ConcurrentQueue<string> _log = new();
    private int _tokens;
    private int _failNext;

    private QuirkyRegistryServer(WebApplication app) => _app = app;

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string Host { get; private set; } = "";

    /// <summary>Blob GETs answer 307 to <c>/storage/&lt;digest&gt;</c> instead of the bytes.</summary>
    public bool RedirectBlobs { get; set; }

    /// <summary>Blob bodies are streamed in chunks without a Content-Length.</summary>
    public bool StreamWithoutLength { get; set; }

    /// <summary>Upload locations are relative paths with a query (<c>/uploads/&lt;id&gt;?state=...</c>).</summary>
    public bool RelativeUploadLocation { get; set; } = true;

    /// <summary>Every request needs a Bearer token from <c>/auth</c> (which answers <c>access_token</c> only).</summary>
    public bool RequireToken { get; set; }

    /// <summary>The <c>expires_in</c> the token service answers with; null leaves it out.</summary>
    public int? TokenLifetimeSeconds { get; set; }

    public int TokensIssued => Volatile.Read(ref _tokens);

    /// <summary>Only requests with this method count towards <see cref="FailNext"/>; null means all.</summary>
    public string? FailOnlyMethod { get; set; }

    /// <summary>How many of the next <c>/v2/</c> requests answer 503 Service Unavailable.</summary>
    public int FailNext
    {
        get => Volatile.Read(ref _failNext);
        set => Volatile.Write(ref _failNext, value);
    }

    /// <summary>"METHOD path authorization" of every request, in order.</summary>
    public IReadOnlyList<string> Requests => [.. _log];

    public static async Task<QuirkyRegistryServer> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new QuirkyRegistryServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server.Host = address.Authority;
        return server;
    }

    public string PutBlob(byte[] bytes)
    {
        var digest = Digest(bytes);
        _blobs[digest] = bytes;
        return digest;
    }

    public string PutManifest(string repository, string reference, string mediaType, byte[] body)
    {
        var digest = Digest(body);
        _manifests[$"{repository}/{reference}"] = (mediaType, body);
        _manifests[$"{repository}/{digest}"] = (mediaType, body);
        return digest;
    }

    public bool HasManifest(string repository, string reference) => _manifests.ContainsKey($"{repository}/{reference}");

    public bool HasBlob(string digest) => _blobs.ContainsKey(digest);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        _log.Enqueue($"{request.Method} {path}{request.QueryString} {request.Headers.Authorization}");

        if (path == "/auth")
        {
            var number = Interlocked.Increment(ref _tokens);
            var lifetime = TokenLifetimeSeconds is { } seconds ? $",\"expires_in\":{seconds}" : "";
            await WriteAsync(context, 200, "application/json", System.Text.Encoding.UTF8.GetBytes($"{{\"access_token\":\"tok-{number}\"{lifetime}}}"));
            return;
        }

        if (path.StartsWith("/storage/", StringComparison.Ordinal))
        {
            // Object storage rejects requests that carry the registry's credentials.
            if (request.Headers.Authorization.Count > 0)
            {
                context.Response.StatusCode = 400;
                return;
            }

            await ServeBlobAsync(context, path["/storage/".Length..]);
            return;
        }

        if (path.StartsWith("/v2/", StringComparison.Ordinal) && (FailOnlyMethod is null || FailOnlyMethod == request.Method)
            && Interlocked.Decrement(ref _failNext) >= 0)
        {
            await WriteAsync(context, 503, "application/json", """{"errors":[{"code":"UNAVAILABLE","message":"try again later"}]}"""u8.ToArray());
            return;
        }

        if (RequireToken && !request.Headers.Authorization.ToString().StartsWith("Bearer tok-", StringComparison.Ordinal))
        {
            context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"http://{Host}/auth\",service=\"quirky\",scope=\"repository:app:pull,push\"";
            await WriteAsync(context, 401, "application/json", """{"errors":[{"code":"UNAUTHORIZED","message":"token required"}]}"""u8.ToArray());
            return;
        }

        if (path.StartsWith("/uploads/", StringComparison.Ordinal) && HttpMethods.IsPut(request.Method))
        {
            if (request.Query["state"] != "opaque" || request.Query["digest"].ToString() is not { Length: > 0 } digest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var bytes = body.ToArray();
            if (Digest(bytes) != digest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            _blobs[digest] = bytes;
            context.Response.StatusCode = 201;
            return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 4 || segments[0] != "v2")
        {
            context.Response.StatusCode = 404;
            return;
        }

        var kind = segments[^2];
        var repository = string.Join('/', segments[1..^2]);
        var reference = segments[^1];
        if (kind == "uploads" || (segments[^2] == "blobs" && segments[^1] == "uploads"))
        {
            var id = Guid.NewGuid().ToString("N");
            context.Response.Headers.Location = RelativeUploadLocation ? $"/uploads/{id}?state=opaque" : $"http://{Host}/uploads/{id}?state=opaque";
            context.Response.StatusCode = 202;
            return;
        }

        if (kind == "blobs")
        {
            if (!_blobs.ContainsKey(reference))
            {
                await WriteAsync(context, 404, "application/json", """{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"""u8.ToArray());
                return;
            }

            if (HttpMethods.IsHead(request.Method))
            {
                context.Response.StatusCode = 200;
                return;
            }

            if (RedirectBlobs)
            {
                context.Response.StatusCode = 307;
                context.Response.Headers.Location = $"/storage/{reference}";
                return;
            }

            await ServeBlobAsync(context, reference);
            return;
        }

        if (kind == "manifests")
        {
            if (HttpMethods.IsPut(request.Method))
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                var digest = PutManifest(repository, reference, request.ContentType ?? "", body.ToArray());
                context.Response.Headers["Docker-Content-Digest"] = digest;
                context.Response.StatusCode = 201;
                return;
            }

            if (!_manifests.TryGetValue($"{repository}/{reference}", out var manifest))
            {
                await WriteAsync(context, 404, "application/json", """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"""u8.ToArray());
                return;
            }

            await WriteAsync(context, 200, manifest.MediaType, manifest.Body);
            return;
        }

        context.Response.StatusCode = 404;
    }

    private async Task ServeBlobAsync(HttpContext context, string digest)
    {
        if (!_blobs.TryGetValue(digest, out var bytes))
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/octet-stream";
        if (!StreamWithoutLength)
        {
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes);
            return;
        }

        for (var offset = 0; offset < bytes.Length; offset += 1024)
        {
            await context.Response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(1024, bytes.Length - offset)));
            await context.Response.Body.FlushAsync();
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }
}
