using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Diagnostics;

namespace Propeller.Proxy.Hosting;

/// <summary>
/// The whole proxy as one web application: the MQTT fetch pipeline plus <c>GET /health</c> and <c>GET /metrics</c> on
/// <c>PROXY_HTTP_HOST:PROXY_HTTP_PORT</c>. <see cref="Build"/> it, <c>StartAsync</c> it, read <see cref="BaseAddress"/>,
/// and <c>StopAsync</c>/<c>DisposeAsync</c> it; stopping finishes the jobs in hand within the stop timeout.
/// </summary>
internal static partial class ProxyApp
{
    public const string HealthPath = "/health";
    public const string MetricsPath = "/metrics";
    public const string HealthBody = """{"status":"ok","service":"proxy"}""";
    public const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// A proxy configured only by <paramref name="options"/>. Logs go to JSON lines on the console at the options'
    /// level unless <paramref name="logging"/> sets up the providers.
    /// </summary>
    /// <exception cref="Contracts.Configuration.ConfigurationException"><paramref name="options"/> is invalid.</exception>
    public static WebApplication Build(ProxyOptions options, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ProxyApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (logging is null)
        {
            builder.Logging.AddJsonConsole();
        }
        else
        {
            logging(builder.Logging);
        }

        builder.WebHost.ConfigureKestrel(kestrel => ConfigureKestrel(kestrel, options));
        builder.Services.AddPropellerProxy(options);

        var app = builder.Build();
        MapEndpoints(app, app.Services.GetRequiredService<ProxyMetrics>());
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProxyApp));
        app.Lifetime.ApplicationStarted.Register(() => Log.HttpListening(logger, string.Join(", ", app.Urls)));
        return app;
    }

    /// <summary>The first address the started app listens on, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public static Uri BaseAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var url = app.Urls.FirstOrDefault() ?? throw new InvalidOperationException("the proxy is not listening; call StartAsync first");
        return new Uri(url.EndsWith('/') ? url : url + "/");
    }

    /// <summary>The proxy's counters, for in-process hosts and tests.</summary>
    public static ProxyMetrics Metrics(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<ProxyMetrics>();
    }

    private static void MapEndpoints(IEndpointRouteBuilder app, ProxyMetrics metrics)
    {
        app.MapGet(HealthPath, () => Results.Text(HealthBody, "application/json"));
        app.MapGet(MetricsPath, async (HttpContext context) =>
        {
            // Exported into memory first: Kestrel refuses the synchronous writes a serializer may make.
            using var buffer = new MemoryStream();
            await metrics.Registry.CollectAndExportAsTextAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentType = PrometheusContentType;
            context.Response.ContentLength = buffer.Length;
            buffer.Position = 0;
            await buffer.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, ProxyOptions options)
    {
        kestrel.AddServerHeader = false;
        var host = options.HttpHost.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && options.HttpPort != 0)
        {
            kestrel.ListenLocalhost(options.HttpPort);
            return;
        }

        kestrel.Listen(Address(host), options.HttpPort);
    }

    private static IPAddress Address(string host) => host switch
    {
        "*" or "+" or "0.0.0.0" => IPAddress.Any,
        "::" => IPAddress.IPv6Any,
        _ when string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) => IPAddress.Loopback,
        _ when IPAddress.TryParse(host, out var address) => address,
        _ => Dns.GetHostAddresses(host).First(),
    };
}
