using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Prometheus;
using Propeller.Contracts.Api;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Hosting;

namespace Propeller.Manager.Api;

/// <summary><c>/health</c> and <c>/metrics</c> (manager-reference §1.2 rows 29, 30); both open without a key.</summary>
internal static class HealthEndpoints
{
    public const string Description = "manager service";

    public static void Map(IEndpointRouteBuilder app, ManagerOptions options, ManagerMetrics metrics)
    {
        var build = BuildInfo.Current;
        var health = new HealthResponse("pass", build.Version, build.Commit, Description, build.BuildTime, options.Credentials.EntityId);
        app.MapGet("/health", () => ApiResults.Json(health, PropellerJsonContext.Default.HealthResponse))
            .WithName("health").WithTags("health").Produces<HealthResponse>().AllowAnonymous();
        app.MapMetrics("/metrics", metrics.Registry).AllowAnonymous();
    }
}
