using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Propeller.Proplet.Tests.Support;

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port (HTTPS when given a certificate), serving whatever each test
/// maps per path, and recording the headers of every request it saw.
/// </summary>
internal sealed class WasmHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, RequestDelegate> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SeenRequest> _requests = new();

    private WasmHttpServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c> (or <c>https://</c>).</summary>
    public string BaseUrl { get; }

    public IReadOnlyList<SeenRequest> Requests => _requests.ToArray();

    public static async Task<WasmHttpServer> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            }));
        var app = builder.Build();
        WasmHttpServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var port = new Uri(address).Port;
        server = new WasmHttpServer(app, $"{(certificate is null ? "http" : "https")}://127.0.0.1:{port}");
        return server;
    }

    /// <summary>Serves <paramref name="path"/> with <paramref name="handler"/> from now on.</summary>
    public string Map(string path, RequestDelegate handler)
    {
        _routes[path] = handler;
        return BaseUrl + path;
    }

    /// <summary>Serves <paramref name="body"/> with the given content type (none when null) and a Content-Length.</summary>
    public string MapBytes(string path, byte[] body, string? contentType, string? etag = null) => Map(path, async context =>
    {
        if (etag is not null)
        {
            context.Response.Headers.ETag = etag;
            if (context.Request.Headers.IfNoneMatch == etag)
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
        }

        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }

        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private Task HandleAsync(HttpContext context)
    {
        _requests.Enqueue(new SeenRequest(
            context.Request.Path.Value ?? "",
            context.Request.Headers.IfNoneMatch.ToString(),
            context.Request.Headers.IfModifiedSince.ToString()));
        if (_routes.TryGetValue(context.Request.Path.Value ?? "", out var handler))
        {
            return handler(context);
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}

/// <summary>One request <see cref="WasmHttpServer"/> received.</summary>
internal sealed record SeenRequest(string Path, string IfNoneMatch, string IfModifiedSince);
