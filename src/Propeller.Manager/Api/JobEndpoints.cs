using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Propeller.Contracts.Api;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Errors;
using Propeller.Manager.Jobs;

namespace Propeller.Manager.Api;

/// <summary>
/// The job routes of manager-reference §1.2 (rows 19-23). Job ids may be client-chosen or legacy (tasks that only
/// share a <c>job_id</c>), so the routes take any non-empty id.
/// </summary>
internal static class JobEndpoints
{
    private const string Job = "job";
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    public static void Map(IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/jobs").WithTags("jobs");
        jobs.MapPost("", CreateAsync).WithName("create-job")
            .DocumentsBody<JobRequest>("application/json").Produces<JobDto>(StatusCodes.Status201Created).ProducesErrors(400, 409, 413, 422);
        jobs.MapGet("", ListAsync).WithName("list-jobs").Produces<JobPage>().ProducesErrors(400);
        jobs.MapGet("{id}", GetAsync).WithName("get-job").Produces<JobDto>().ProducesErrors(400, 404);
        jobs.MapPost("{id}/start", StartAsync).WithName("start-job").Produces<JobActionResponse>().ProducesErrors(400, 404, 409, 422, 503);
        jobs.MapPost("{id}/stop", StopAsync).WithName("stop-job").Produces<JobActionResponse>().ProducesErrors(400);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, [FromServices] JobService service, CancellationToken cancellationToken)
    {
        var body = await ApiRequest.ReadJsonAsync(request, Json.JobRequest, cancellationToken).ConfigureAwait(false);
        if (body.Tasks?.Any(t => t is null) == true)
        {
            throw new InvalidRequestException("invalid JSON body: a task is null");
        }

        var job = await service.CreateAsync(body.Name, body.ExecutionMode, [.. (body.Tasks ?? []).Select(ApiMapping.ToTask)], cancellationToken).ConfigureAwait(false);
        return ApiResults.Created($"/jobs/{job.Id}", ToDto(job), Json.JobDto);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, [FromServices] JobService service, CancellationToken cancellationToken)
    {
        var (offset, limit) = ApiRequest.Paging(request);
        var status = JobStatusFilter.Parse(ApiRequest.Query(request, "status"));
        var page = await service.ListAsync(status, offset, limit, cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new JobPage(offset, limit, page.Total, [.. page.Items.Select(ToDto)]), Json.JobPage);
    }

    private static async Task<IResult> GetAsync(string id, [FromServices] JobService service, CancellationToken cancellationToken)
    {
        var job = await service.GetAsync(ApiRequest.NonEmpty(id, Job), cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(ToDto(job), Json.JobDto);
    }

    private static async Task<IResult> StartAsync(string id, [FromServices] JobService service, CancellationToken cancellationToken)
    {
        var jobId = ApiRequest.NonEmpty(id, Job);
        await service.StartAsync(jobId, cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new JobActionResponse("job started", jobId), Json.JobActionResponse);
    }

    private static async Task<IResult> StopAsync(string id, [FromServices] JobService service, CancellationToken cancellationToken)
    {
        var jobId = ApiRequest.NonEmpty(id, Job);
        await service.StopAsync(jobId, cancellationToken).ConfigureAwait(false);
        return ApiResults.Json(new JobActionResponse("job stopped", jobId), Json.JobActionResponse);
    }

    private static JobDto ToDto(JobSummary job) => new()
    {
        JobId = job.Id,
        Name = job.Name,
        ExecutionMode = job.ExecutionMode,
        State = job.State,
        Tasks = [.. job.Tasks.Select(ApiMapping.ToDto)],
        StartTime = job.StartTime,
        FinishTime = job.FinishTime,
        CreatedAt = job.CreatedAt,
    };
}
