using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Propeller.Contracts.Api;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Errors;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Api;

/// <summary>The task routes of manager-reference §1.2 (rows 7-17).</summary>
internal static class TaskEndpoints
{
    private const string Task = "task";
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    public static void Map(IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/tasks").WithTags("tasks");
        tasks.MapPost("", CreateAsync).WithName("create-task")
            .DocumentsBody<TaskDto>("application/json").Produces<TaskDto>(StatusCodes.Status201Created).ProducesErrors(400, 413, 422);
        tasks.MapGet("", ListAsync).WithName("list-tasks").Produces<TaskPage>().ProducesErrors(400);
        tasks.MapGet("{id}", GetAsync).WithName("get-task").Produces<TaskDto>().ProducesErrors(400, 404);
        tasks.MapPut("{id}", UpdateAsync).WithName("update-task")
            .DocumentsBody<TaskDto>("application/json").Produces<TaskDto>().ProducesErrors(400, 404, 413);
        tasks.MapPut("{id}/upload", UploadAsync).WithName("upload-task-file").DisableAntiforgery()
            .DocumentsBody<UploadForm>("multipart/form-data").Produces<TaskDto>().ProducesErrors(400, 404, 413);
        tasks.MapDelete("{id}", DeleteAsync).WithName("delete-task").Produces(StatusCodes.Status204NoContent).ProducesErrors(400, 404);
        tasks.MapPost("{id}/start", StartAsync).WithName("start-task").Produces<StartedResponse>().ProducesErrors(400, 404, 409, 422, 503);
        tasks.MapPost("{id}/stop", StopAsync).WithName("stop-task").Produces<StoppedResponse>().ProducesErrors(400, 404, 409);
        tasks.MapPost("{id}/invoke", InvokeAsync).WithName("invoke-task")
            .DocumentsBody<InvokeRequest>("application/json", required: false).Produces<InvokeResponse>().ProducesErrors(400, 404, 409, 413, 502, 503, 504);
        tasks.MapGet("{id}/results", ResultsAsync).WithName("get-task-results").Produces<TaskResultsResponse>().ProducesErrors(400, 404);
        tasks.MapGet("{id}/metrics", MetricsAsync).WithName("get-task-metrics").Produces<TaskMetricsPage>().ProducesErrors(400);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, [FromServices] TaskService service, CancellationToken cancellationToken)
    {
        var dto = await ApiRequest.ReadJsonAsync(request, Json.TaskDto, cancellationToken).ConfigureAwait(false);
        var task = await service.CreateAsync(ApiMapping.ToTask(dto), cancellationToken).ConfigureAwait(false);
        return ApiResults.Created($"/tasks/{task.Id}", ApiMapping.ToDto(task), Json.TaskDto);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, [FromServices] TaskService service, CancellationToken cancellationToken)
    {
        var (offset, limit) = ApiRequest.Paging(request);
        var filter = new TaskFilter(ApiRequest.MetadataFilter(request));
        var page = await service.ListAsync(filter, offset, limit, cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new TaskPage(offset, limit, page.Total, [.. page.Items.Select(ApiMapping.ToDto)]), Json.TaskPage);
    }

    private static async Task<IResult> GetAsync(string id, [FromServices] TaskService service, CancellationToken cancellationToken)
    {
        var task = await service.GetAsync(ApiRequest.Uuid(id, Task), cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(ApiMapping.ToDto(task), Json.TaskDto);
    }

    /// <summary>No UUID check, as in the original: a workflow may have stored a client-chosen id.</summary>
    private static async Task<IResult> UpdateAsync(string id, HttpRequest request, [FromServices] TaskService service, CancellationToken cancellationToken)
    {
        var dto = await ApiRequest.ReadJsonAsync(request, Json.TaskDto, cancellationToken).ConfigureAwait(false);
        var task = await service.UpdateAsync(ApiRequest.NonEmpty(id, Task), ApiMapping.ToUpdate(dto), cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(ApiMapping.ToDto(task), Json.TaskDto);
    }

    private static async Task<IResult> UploadAsync(string id, HttpRequest request, [FromServices] TaskService service, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            throw new InvalidRequestException("expected a multipart/form-data body with a 'file' field");
        }

        var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        var file = form.Files.GetFile("file") ?? throw new InvalidRequestException("missing 'file' field in the multipart body");
        using var content = new MemoryStream();
        await file.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
        var task = await service.UploadFileAsync(ApiRequest.NonEmpty(id, Task), file.FileName, content.ToArray(), cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(ApiMapping.ToDto(task), Json.TaskDto);
    }

    private static async Task<IResult> DeleteAsync(string id, [FromServices] TaskService service, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(ApiRequest.Uuid(id, Task), cancellationToken).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> StartAsync(string id, [FromServices] TaskDispatcher dispatcher, CancellationToken cancellationToken)
    {
        await dispatcher.StartAsync(ApiRequest.Uuid(id, Task), cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new StartedResponse(true), Json.StartedResponse);
    }

    private static async Task<IResult> StopAsync(string id, [FromServices] TaskDispatcher dispatcher, CancellationToken cancellationToken)
    {
        await dispatcher.StopAsync(ApiRequest.Uuid(id, Task), cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new StoppedResponse(true), Json.StoppedResponse);
    }

    /// <summary>Runs a latent task once; the body <c>{inputs?, env?}</c> may be left out.</summary>
    private static async Task<IResult> InvokeAsync(string id, HttpRequest request, [FromServices] TaskInvoker invoker, CancellationToken cancellationToken)
    {
        var taskId = ApiRequest.Uuid(id, Task);
        var body = await ApiRequest.ReadOptionalJsonAsync(request, Json.InvokeRequest, cancellationToken).ConfigureAwait(false);
        var results = await invoker.InvokeAsync(taskId, body?.Inputs, body?.Env, cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new InvokeResponse(true, results), Json.InvokeResponse);
    }

    /// <summary>A task without results answers 200 with an empty body, as the original does.</summary>
    private static async Task<IResult> ResultsAsync(string id, [FromServices] TaskService service, CancellationToken cancellationToken)
    {
        var task = await service.GetAsync(ApiRequest.Uuid(id, Task), cancellationToken).ConfigureAwait(false);
        return task.Results is { ValueKind: not System.Text.Json.JsonValueKind.Null } results
            ? ApiResults.Json(new TaskResultsResponse(results), Json.TaskResultsResponse)
            : Results.Ok();
    }

    private static async Task<IResult> MetricsAsync(string id, HttpRequest request, [FromServices] TaskService service, CancellationToken cancellationToken)
    {
        var (offset, limit) = ApiRequest.Paging(request);
        var page = await service.ListMetricsAsync(ApiRequest.NonEmpty(id, Task), offset, limit, cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new TaskMetricsPage(offset, limit, page.Total, page.Items), Json.TaskMetricsPage);
    }
}
