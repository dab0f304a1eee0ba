using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Propeller.Contracts.Api;
using Propeller.Contracts.Serialization;

namespace Propeller.Cli.Client;

/// <summary>
/// Typed calls to the manager's REST API. Every method maps to one route; any unexpected status becomes a
/// <see cref="ManagerApiException"/> carrying the manager's <c>error</c> text.
/// </summary>
internal sealed class ManagerClient : IDisposable
{
    /// <summary>How long an ordinary call may take before the CLI gives up.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;
    private readonly HttpClient _http;

    public ManagerClient(Uri baseAddress, string? apiKey, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = baseAddress;
        _http.Timeout = Timeout.InfiniteTimeSpan;
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    public Task<TaskDto> CreateTaskAsync(TaskDto task, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "tasks", JsonBody(task, Json.TaskDto), HttpStatusCode.Created, Json.TaskDto, ct);

    public Task<TaskDto> GetTaskAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"tasks/{Escape(id)}", null, HttpStatusCode.OK, Json.TaskDto, ct);

    public Task<TaskPage> ListTasksAsync(ulong offset, ulong limit, IReadOnlyDictionary<string, string>? metadata, CancellationToken ct)
    {
        var query = Paging(offset, limit);
        if (metadata is { Count: > 0 })
        {
            var filter = JsonSerializer.Serialize(metadata.ToDictionary(k => k.Key, k => k.Value), Json.DictionaryStringString);
            query.Add("metadata=" + Uri.EscapeDataString(filter));
        }

        return SendAsync(HttpMethod.Get, "tasks" + Query(query), null, HttpStatusCode.OK, Json.TaskPage, ct);
    }

    public Task<TaskDto> UpdateTaskAsync(string id, TaskDto task, CancellationToken ct) =>
        SendAsync(HttpMethod.Put, $"tasks/{Escape(id)}", JsonBody(task, Json.TaskDto), HttpStatusCode.OK, Json.TaskDto, ct);

    public Task DeleteTaskAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"tasks/{Escape(id)}", null, HttpStatusCode.NoContent, ct);

    public Task StartTaskAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"tasks/{Escape(id)}/start", null, HttpStatusCode.OK, ct);

    public Task StopTaskAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"tasks/{Escape(id)}/stop", null, HttpStatusCode.OK, ct);

    /// <summary>
    /// Runs a latent task once and returns the proplet's <c>results</c>. The body is left out when
    /// <paramref name="request"/> is null. No client deadline: the manager bounds the wait (MANAGER_INVOKE_TIMEOUT).
    /// </summary>
    public async Task<string> InvokeTaskAsync(string id, InvokeRequest? request, CancellationToken ct)
    {
        var content = request is null ? null : JsonBody(request, Json.InvokeRequest);
        var response = await SendAsync(HttpMethod.Post, $"tasks/{Escape(id)}/invoke", content, HttpStatusCode.OK, Json.InvokeResponse, ct, Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        return response.Results;
    }

    /// <summary>The task's <c>results</c>; null when it has none yet (the manager then sends an empty body).</summary>
    public async Task<JsonElement?> GetTaskResultsAsync(string id, CancellationToken ct)
    {
        var body = await SendAsync(HttpMethod.Get, $"tasks/{Escape(id)}/results", null, HttpStatusCode.OK, ct).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return null;
        }

        var response = JsonSerializer.Deserialize(body, Json.TaskResultsResponse);
        return response?.Results is { ValueKind: not JsonValueKind.Null } results ? results : null;
    }

    public Task<TaskDto> UploadTaskFileAsync(string id, string fileName, byte[] content, CancellationToken ct)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        form.Add(file, "file", fileName);
        return SendAsync(HttpMethod.Put, $"tasks/{Escape(id)}/upload", form, HttpStatusCode.OK, Json.TaskDto, ct);
    }

    public Task<TaskMetricsPage> GetTaskMetricsAsync(string id, ulong offset, ulong limit, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"tasks/{Escape(id)}/metrics" + Query(AlwaysPaging(offset, limit)), null, HttpStatusCode.OK, Json.TaskMetricsPage, ct);

    public Task<PropletPage> ListPropletsAsync(ulong offset, ulong limit, string? status, CancellationToken ct)
    {
        var query = Paging(offset, limit);
        if (!string.IsNullOrEmpty(status))
        {
            query.Add("status=" + Uri.EscapeDataString(status));
        }

        return SendAsync(HttpMethod.Get, "proplets" + Query(query), null, HttpStatusCode.OK, Json.PropletPage, ct);
    }

    public Task<PropletView> GetPropletAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"proplets/{Escape(id)}", null, HttpStatusCode.OK, Json.PropletView, ct);

    public Task DeletePropletAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"proplets/{Escape(id)}", null, HttpStatusCode.NoContent, ct);

    public Task<AliveHistoryPage> GetAliveHistoryAsync(string id, ulong offset, ulong limit, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"proplets/{Escape(id)}/alive-history" + Query(AlwaysPaging(offset, limit)), null, HttpStatusCode.OK, Json.AliveHistoryPage, ct);

    public Task<PropletMetricsPage> GetPropletMetricsAsync(string id, ulong offset, ulong limit, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"proplets/{Escape(id)}/metrics" + Query(AlwaysPaging(offset, limit)), null, HttpStatusCode.OK, Json.PropletMetricsPage, ct);

    public Task<HealthResponse> GetHealthAsync(CancellationToken ct) =>
        SendAsync(HttpMethod.Get, "health", null, HttpStatusCode.OK, Json.HealthResponse, ct);

    public Task<WorkflowDto> CreateWorkflowAsync(WorkflowRequest workflow, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "workflows", JsonBody(workflow, Json.WorkflowRequest), HttpStatusCode.Created, Json.WorkflowDto, ct);

    public Task<WorkflowDto> GetWorkflowAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"workflows/{Escape(id)}", null, HttpStatusCode.OK, Json.WorkflowDto, ct);

    public Task<WorkflowStartedResponse> StartWorkflowAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"workflows/{Escape(id)}/start", null, HttpStatusCode.OK, Json.WorkflowStartedResponse, ct);

    public Task<JobDto> CreateJobAsync(JobRequest job, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "jobs", JsonBody(job, Json.JobRequest), HttpStatusCode.Created, Json.JobDto, ct);

    public Task<JobPage> ListJobsAsync(ulong offset, ulong limit, string? status, CancellationToken ct)
    {
        var query = Paging(offset, limit);
        if (!string.IsNullOrEmpty(status))
        {
            query.Add("status=" + Uri.EscapeDataString(status));
        }

        return SendAsync(HttpMethod.Get, "jobs" + Query(query), null, HttpStatusCode.OK, Json.JobPage, ct);
    }

    public Task<JobDto> GetJobAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"jobs/{Escape(id)}", null, HttpStatusCode.OK, Json.JobDto, ct);

    public Task<JobActionResponse> StartJobAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"jobs/{Escape(id)}/start", null, HttpStatusCode.OK, Json.JobActionResponse, ct);

    public Task<JobActionResponse> StopJobAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"jobs/{Escape(id)}/stop", null, HttpStatusCode.OK, Json.JobActionResponse, ct);

    public void Dispose() => _http.Dispose();

    private static string Escape(string id) => Uri.EscapeDataString(id);

    private static List<string> Paging(ulong offset, ulong limit)
    {
        var query = new List<string>();
        if (offset > 0)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"offset={offset}"));
        }

        if (limit > 0)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"limit={limit}"));
        }

        return query;
    }

    private static List<string> AlwaysPaging(ulong offset, ulong limit) =>
        [string.Create(CultureInfo.InvariantCulture, $"offset={offset}"), string.Create(CultureInfo.InvariantCulture, $"limit={limit}")];

    private static string Query(List<string> parts) => parts.Count == 0 ? "" : "?" + string.Join('&', parts);

    private static StringContent JsonBody<T>(T value, JsonTypeInfo<T> typeInfo) =>
        new(JsonSerializer.Serialize(value, typeInfo), Encoding.UTF8, "application/json");

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, HttpStatusCode expected, JsonTypeInfo<T> typeInfo, CancellationToken ct, TimeSpan? timeout = null)
    {
        var body = await SendAsync(method, path, content, expected, ct, timeout).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo) ?? throw new ManagerApiException(expected, "the manager sent an empty response");
        }
        catch (JsonException ex)
        {
            throw new ManagerApiException(expected, $"the manager sent a response this CLI cannot read: {ex.Message}");
        }
    }

    private async Task<byte[]> SendAsync(HttpMethod method, string path, HttpContent? content, HttpStatusCode expected, CancellationToken ct, TimeSpan? timeout = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var limit = timeout ?? RequestTimeout;
        if (limit != Timeout.InfiniteTimeSpan)
        {
            deadline.CancelAfter(limit);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, deadline.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ManagerApiException(0, $"cannot reach the manager at {_http.BaseAddress}: {ex.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ManagerApiException(0, string.Create(CultureInfo.InvariantCulture, $"the manager at {_http.BaseAddress} did not answer within {limit.TotalSeconds:0} s"));
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            if (response.StatusCode == expected)
            {
                return body;
            }

            throw new ManagerApiException(response.StatusCode, DescribeError(response.StatusCode, body));
        }
    }

    private static string DescribeError(HttpStatusCode status, byte[] body)
    {
        try
        {
            var error = JsonSerializer.Deserialize(body, Json.ErrorResponse);
            if (!string.IsNullOrEmpty(error?.Error))
            {
                return $"{error.Error} (HTTP {(int)status})";
            }
        }
        catch (JsonException)
        {
            // Not a JSON error body; fall through to the raw text.
        }

        var text = Encoding.UTF8.GetString(body).Trim();
        return string.Create(CultureInfo.InvariantCulture, $"unexpected response code: {(int)status}{(text.Length == 0 ? "" : ": " + text)}");
    }
}
