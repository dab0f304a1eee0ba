using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Monitoring;
using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Hosting;

/// <summary>
/// <c>GET /metrics</c> (Prometheus text) and <c>GET /health</c> on <c>0.0.0.0:PROPLET_METRICS_PORT</c>
/// (proplet-reference §6.4), on a small Kestrel server of its own. A port that cannot be bound is a warning, not a
/// failed proplet: the endpoint is auxiliary, the tasks are not.
/// </summary>
internal sealed partial class MetricsServer : IHostedService, IDisposable
{
    public const string MetricsPath = "/metrics";
    public const string HealthPath = "/health";
    public const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    // proplet-reference §6.4: each connection is closed after at most 120 s.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(120);

    private readonly PropletOptions _options;
    private readonly PropletMetrics _metrics;
    private readonly RunningTaskTable _table;
    private readonly ILogger _logger;

    // Its own sampler, so scrapes measure host CPU between scrapes without moving the MQTT metrics' window.
    private readonly SystemMetricsSampler _sampler;
    private WebApplication? _app;

    public MetricsServer(
        PropletOptions options, PropletMetrics metrics, RunningTaskTable table, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options;
        _metrics = metrics;
        _table = table;
        _logger = loggerFactory.CreateLogger<MetricsServer>();
        _sampler = new SystemMetricsSampler(options, time);
    }

    /// <summary>The port actually listened on (useful with port 0); null while not listening.</summary>
    public int? Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.IgnoredMetricsPort is { } ignored)
        {
            Log.PortIgnored(_logger, ignored, PropletOptions.DefaultMetricsPort);
        }

        if (!_options.MetricsEnabled)
        {
            Log.Disabled(_logger);
            return;
        }

        // No logging providers of its own: the proplet logs what matters (listening, bind failure) itself.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Any, _options.MetricsPort);
            kestrel.Limits.KeepAliveTimeout = KeepAlive;
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Log.ListenFailed(_logger, _options.MetricsPort, e.Message);
            await app.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _app = app;
        Port = BoundPort(app);
        Log.Listening(_logger, Port ?? _options.MetricsPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            _app = null;
            Port = null;
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        // Only reached when the host was disposed without being stopped.
        (_app as IDisposable)?.Dispose();
        _app = null;
    }

    private static int? BoundPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) ? uri.Port : (int?)null).FirstOrDefault(p => p is not null);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        switch (context.Request.Path.Value)
        {
            case MetricsPath:
                _metrics.RecordSystem(_sampler.Sample());

                // Exported into memory first: Kestrel refuses the synchronous writes a serializer may make.
                using (var buffer = new MemoryStream())
                {
                    await _metrics.Registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
                    response.ContentType = PrometheusContentType;
                    response.ContentLength = buffer.Length;
                    buffer.Position = 0;
                    await buffer.CopyToAsync(response.Body, cancellationToken).ConfigureAwait(false);
                }

                break;
            case HealthPath:
                response.ContentType = "application/json";
                await response.WriteAsync(
                    string.Create(CultureInfo.InvariantCulture, $$"""{"status":"ok","running_tasks":{{_table.Count}}}"""), cancellationToken)
                    .ConfigureAwait(false);
                break;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync("not found", cancellationToken).ConfigureAwait(false);
                break;
        }
    }
}
