using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Propeller.Contracts.Api;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Errors;
using Propeller.Manager.Workflows;

namespace Propeller.Manager.Api;

/// <summary>
/// <c>POST /workflows</c> (manager-reference §1.2 row 18) and our additions <c>GET /workflows/{id}</c> and
/// <c>POST /workflows/{id}/start</c>. Workflow ids may be client-chosen, so the routes take any non-empty id.
/// </summary>
internal static class WorkflowEndpoints
{
    private const string Workflow = "workflow";
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    public static void Map(IEndpointRouteBuilder app)
    {
        var workflows = app.MapGroup("/workflows").WithTags("workflows");
        workflows.MapPost("", CreateAsync).WithName("create-workflow")
            .DocumentsBody<WorkflowRequest>("application/json").Produces<WorkflowDto>(StatusCodes.Status201Created).ProducesErrors(400, 409, 413, 422);
        workflows.MapGet("{id}", GetAsync).WithName("get-workflow").Produces<WorkflowDto>().ProducesErrors(400, 404);
        workflows.MapPost("{id}/start", StartAsync).WithName("start-workflow")
            .Produces<WorkflowStartedResponse>().ProducesErrors(400, 404, 409, 422, 503);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, [FromServices] WorkflowService service, CancellationToken cancellationToken)
    {
        var tasks = await ReadTasksAsync(request, cancellationToken).ConfigureAwait(false);
        var workflow = await service.CreateAsync([.. tasks.Select(ApiMapping.ToTask)], cancellationToken).ConfigureAwait(false);
        return ApiResults.Created($"/workflows/{workflow.Id}", ToDto(workflow), Json.WorkflowDto);
    }

    private static async Task<IResult> GetAsync(string id, [FromServices] WorkflowService service, CancellationToken cancellationToken)
    {
        var workflow = await service.GetAsync(ApiRequest.NonEmpty(id, Workflow), cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(ToDto(workflow), Json.WorkflowDto);
    }

    private static async Task<IResult> StartAsync(string id, [FromServices] WorkflowService service, CancellationToken cancellationToken)
    {
        var workflowId = ApiRequest.NonEmpty(id, Workflow);
        var started = await service.StartAsync(workflowId, cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new WorkflowStartedResponse(workflowId, started), Json.WorkflowStartedResponse);
    }

    /// <summary>Both body shapes: <c>{"tasks":[...]}</c> (the original's) and a bare array of tasks.</summary>
    private static async Task<IReadOnlyList<TaskDto>> ReadTasksAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentType?.Contains("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            throw new InvalidRequestException("unsupported content type: expected application/json");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        try
        {
            var tasks = body.TrimStart(" \t\r\n"u8) is [(byte)'[', ..]
                ? JsonSerializer.Deserialize(body, Json.ListTaskDto)
                : PropellerJson.Parse(body, Json.WorkflowRequest).Tasks;
            return tasks is null || tasks.Any(t => t is null)
                ? throw new InvalidRequestException("invalid JSON body: expected {\"tasks\":[task, ...]} or [task, ...]")
                : tasks;
        }
        catch (JsonException ex)
        {
            throw new InvalidRequestException($"invalid JSON body: {ex.Message}", ex);
        }
    }

    private static WorkflowDto ToDto(Workflow workflow) =>
        new(workflow.Id, workflow.State, [.. workflow.Tasks.Select(ApiMapping.ToDto)]);
}
