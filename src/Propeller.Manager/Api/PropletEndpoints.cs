using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Propeller.Contracts.Api;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Api;

/// <summary>The proplet routes of manager-reference §1.2 (rows 1-6).</summary>
internal static class PropletEndpoints
{
    private const string Proplet = "proplet";
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    public static void Map(IEndpointRouteBuilder app)
    {
        var proplets = app.MapGroup("/proplets").WithTags("proplets");
        proplets.MapGet("", ListAsync).WithName("list-proplets").Produces<PropletPage>().ProducesErrors(400);
        proplets.MapGet("{id}", GetAsync).WithName("get-proplet").Produces<PropletView>().ProducesErrors(400, 404);
        proplets.MapDelete("{id}", DeleteAsync).WithName("delete-proplet").Produces(StatusCodes.Status204NoContent).ProducesErrors(400, 404, 409);
        proplets.MapGet("{id}/sdf", SdfAsync).WithName("get-proplet-sdf").Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesErrors(400, 404);
        proplets.MapGet("{id}/metrics", MetricsAsync).WithName("get-proplet-metrics").Produces<PropletMetricsPage>().ProducesErrors(400);
        proplets.MapGet("{id}/alive-history", AliveHistoryAsync).WithName("get-proplet-alive-history").Produces<AliveHistoryPage>().ProducesErrors(400, 404);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, [FromServices] PropletService service, [FromServices] TimeProvider time, CancellationToken cancellationToken)
    {
        var (offset, limit) = ApiRequest.Paging(request);
        var page = await service.ListAsync(ApiRequest.Query(request, "status"), offset, limit, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return ApiResults.Json(new PropletPage(offset, limit, page.Total, [.. page.Items.Select(p => ApiMapping.ToView(p, now))]), Json.PropletPage);
    }

    private static async Task<IResult> GetAsync(string id, [FromServices] PropletService service, [FromServices] TimeProvider time, CancellationToken cancellationToken)
    {
        var proplet = await service.GetAsync(ApiRequest.Uuid(id, Proplet), cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(ApiMapping.ToView(proplet, time.GetUtcNow()), Json.PropletView);
    }

    private static async Task<IResult> DeleteAsync(string id, [FromServices] PropletService service, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(ApiRequest.Uuid(id, Proplet), cancellationToken).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> SdfAsync(string id, [FromServices] PropletService service, CancellationToken cancellationToken) =>
        ApiResults.Document(await service.DescribeAsync(ApiRequest.Uuid(id, Proplet), cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> MetricsAsync(string id, HttpRequest request, [FromServices] PropletService service, CancellationToken cancellationToken)
    {
        var (offset, limit) = ApiRequest.Paging(request);
        var page = await service.ListMetricsAsync(ApiRequest.NonEmpty(id, Proplet), offset, limit, cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new PropletMetricsPage(offset, limit, page.Total, page.Items), Json.PropletMetricsPage);
    }

    private static async Task<IResult> AliveHistoryAsync(string id, HttpRequest request, [FromServices] PropletService service, CancellationToken cancellationToken)
    {
        var (offset, limit) = ApiRequest.Paging(request);
        var page = await service.AliveHistoryAsync(ApiRequest.NonEmpty(id, Proplet), offset, limit, cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new AliveHistoryPage(offset, limit, page.Total, page.Items), Json.AliveHistoryPage);
    }
}
