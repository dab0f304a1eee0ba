using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Api;

/// <summary>Counts and times every named API operation under its name (<c>create-task</c>, <c>list-proplets</c>...).</summary>
internal sealed class ApiMetricsMiddleware(RequestDelegate next, ManagerMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName is not { } method)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            metrics.Observe(method, Stopwatch.GetElapsedTime(started));
        }
    }
}
