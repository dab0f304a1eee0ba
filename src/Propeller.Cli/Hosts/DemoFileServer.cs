using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Propeller.Cli.Hosts;

/// <summary>
/// A loopback web server for <c>propeller demo</c>: serves Wasm files as <c>application/wasm</c> so a task can be
/// delivered by URL the way a team would ship it from a plain web server or CDN.
/// </summary>
internal sealed class DemoFileServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoFileServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Serves each <c>name → bytes</c> at <c>/{name}</c>; anything else is 404.</summary>
    public static async Task<DemoFileServer> StartAsync(IReadOnlyDictionary<string, byte[]> files, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/{name}", (string name) => files.TryGetValue(name, out var bytes)
            ? Results.Bytes(bytes, "application/wasm")
            : Results.NotFound());
        await app.StartAsync(ct).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DemoFileServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
