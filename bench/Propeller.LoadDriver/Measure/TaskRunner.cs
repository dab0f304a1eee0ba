using System.Diagnostics;
using System.Net.Http.Json;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;

namespace Propeller.LoadDriver.Measure;

/// <summary>
/// One task end to end over REST: create <c>add(10, 20)</c> with the module inline, start it, and poll
/// <c>GET /tasks/{id}</c> until the manager has stored the result. The poll sleeps <c>pollInterval</c> between
/// reads, so a measured time is at most about that much later than the moment the result was stored.
/// </summary>
internal sealed class TaskRunner(HttpClient http, byte[] wasm, TimeSpan pollInterval)
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;
    private readonly string _file = Convert.ToBase64String(wasm);

    /// <summary>Runs one task; returns its create-to-result time. A failed or wrong result throws.</summary>
    public async Task<TimeSpan> RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var create = await http.PostAsJsonAsync("tasks", new TaskDto { Name = "add", File = _file, Inputs = ["10", "20"] }, Json.TaskDto, ct).ConfigureAwait(false);
        create.EnsureSuccessStatusCode();
        var task = await create.Content.ReadFromJsonAsync(Json.TaskDto, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("create-task returned no body");
        using (var start = await http.PostAsync(new Uri($"tasks/{task.Id}/start", UriKind.Relative), null, ct).ConfigureAwait(false))
        {
            start.EnsureSuccessStatusCode();
        }

        var path = new Uri($"tasks/{task.Id}", UriKind.Relative);
        var deadline = started + (Stopwatch.Frequency * 30);
        while (true)
        {
            var current = await http.GetFromJsonAsync(path, Json.TaskDto, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException("get-task returned no body");
            switch (current.State)
            {
                case TaskState.Completed when current.Results?.ToString() == "30":
                    return Stopwatch.GetElapsedTime(started);
                case TaskState.Completed or TaskState.Failed:
                    throw new InvalidOperationException($"task {task.Id} ended {current.State} with '{current.Results}' ({current.Error})");
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"task {task.Id} did not finish within 30 s (state {current.State})");
            }

            await Task.Delay(pollInterval, ct).ConfigureAwait(false);
        }
    }
}
