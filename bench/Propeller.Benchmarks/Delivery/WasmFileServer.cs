using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Propeller.Benchmarks.Delivery;

/// <summary>A loopback Kestrel server answering <c>GET /x.wasm</c> with fixed bytes as <c>application/wasm</c>.</summary>
internal sealed class WasmFileServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WasmFileServer(WebApplication app, Uri url) => (_app, Url) = (app, url);

    /// <summary>The module's address, e.g. <c>http://127.0.0.1:41234/x.wasm</c>.</summary>
    public Uri Url { get; }

    public static async Task<WasmFileServer> StartAsync(byte[] wasm)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/x.wasm", () => Results.Bytes(wasm, "application/wasm"));
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Urls.First().TrimEnd('/');
        return new WasmFileServer(app, new Uri(address + "/x.wasm"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
