using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Api;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Hosting;

/// <summary>
/// The whole manager as one web application: REST API, MQTT handling and storage. <see cref="Build"/> it,
/// <c>StartAsync</c> it, read <see cref="BaseAddress"/>, and <c>StopAsync</c>/<c>DisposeAsync</c> it.
/// </summary>
internal static class ManagerApp
{
    /// <param name="options">The validated settings.</param>
    /// <param name="logging">Adds or replaces log providers.</param>
    /// <param name="services">Replaces services after the manager's own (tests swap the <see cref="TimeProvider"/>).</param>
    public static WebApplication Build(ManagerOptions options, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ManagerApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging?.Invoke(builder.Logging);

        builder.WebHost.ConfigureKestrel(kestrel => ConfigureKestrel(kestrel, options));
        builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = options.HttpMaxBodyBytes);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, PropellerJsonContext.Default);
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.NumberHandling = PropellerJsonContext.Default.Options.NumberHandling;
            json.SerializerOptions.Converters.Add(new FlexibleTimestampConverter());
        });
        builder.Services.AddOpenApi();
        builder.Services.AddPropellerManager(options);
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseMiddleware<EmptyIdMiddleware>();
        app.UseRouting();
        app.UseMiddleware<ApiMetricsMiddleware>();
        app.UseMiddleware<BearerAuthMiddleware>();
        TaskEndpoints.Map(app);
        WorkflowEndpoints.Map(app);
        JobEndpoints.Map(app);
        PropletEndpoints.Map(app);
        HealthEndpoints.Map(app, options, app.Services.GetRequiredService<ManagerMetrics>());
        app.MapOpenApi().AllowAnonymous();
        return app;
    }

    /// <summary>The first address the started app listens on, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public static Uri BaseAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var url = app.Urls.FirstOrDefault() ?? throw new InvalidOperationException("the manager is not listening; call StartAsync first");
        return new Uri(url.EndsWith('/') ? url : url + "/");
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, ManagerOptions options)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = options.HttpMaxBodyBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = (int)Math.Min(options.HttpMaxHeaderBytes, int.MaxValue);
        kestrel.Limits.RequestHeadersTimeout = options.HttpReadHeaderTimeout;
        kestrel.Limits.KeepAliveTimeout = options.HttpIdleTimeout;

        void Https(ListenOptions listen)
        {
            if (options.HttpServerCert is { } cert && options.HttpServerKey is { } key)
            {
                listen.UseHttps(X509Certificate2.CreateFromPemFile(cert, key));
            }
        }

        var host = options.HttpHost.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && options.HttpPort != 0)
        {
            kestrel.ListenLocalhost(options.HttpPort, Https);
            return;
        }

        foreach (var address in Addresses(host))
        {
            kestrel.Listen(address, options.HttpPort, Https);
        }
    }

    /// <summary>"localhost" on port 0 binds only 127.0.0.1: one free port cannot be picked for two addresses.</summary>
    private static IPAddress[] Addresses(string host) => host switch
    {
        "*" or "+" or "0.0.0.0" => [IPAddress.Any],
        "::" => [IPAddress.IPv6Any],
        _ when string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) => [IPAddress.Loopback],
        _ when IPAddress.TryParse(host, out var address) => [address],
        _ => [Dns.GetHostAddresses(host).First()],
    };
}
