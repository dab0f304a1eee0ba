using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Messaging;
using Propeller.Proplet.Monitoring;
using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// Runs the start pipeline (proplet-reference §2.1) and stops tasks (§2.9). Each accepted task executes on its own
/// task with its own stop token, so a stop reaches it wherever it is and the handler returns at once.
/// </summary>
internal sealed partial class TaskSupervisor : IDisposable
{
    public const string TeeUnavailableError = "TEE runtime not available";
    public const string CancelledError = "Task was cancelled or panicked";

    private readonly PropletOptions _options;
    private readonly IWasmRuntime _runtime;
    private readonly TaskBinarySource _binaries;
    private readonly RunningTaskTable _table;
    private readonly ResultPublisher _results;
    private readonly PropletMetrics _metrics;
    private readonly TaskMonitor _monitor;
    private readonly LatentTaskInvoker _latent;
    private readonly ILogger _logger;

    // Cancelled only when shutdown runs out of time, so pending results get every chance to go out.
    private readonly CancellationTokenSource _publishing = new();

    public TaskSupervisor(
        PropletOptions options,
        IWasmRuntime runtime,
        TaskBinarySource binaries,
        RunningTaskTable table,
        ResultPublisher results,
        PropletMetrics metrics,
        TaskMonitor monitor,
        LatentTaskInvoker latent,
        ILogger<TaskSupervisor> logger)
    {
        _options = options;
        _runtime = runtime;
        _binaries = binaries;
        _table = table;
        _results = results;
        _metrics = metrics;
        _monitor = monitor;
        _latent = latent;
        _logger = logger;
    }

    /// <summary>
    /// Validates, filters and admits a start, then launches it and returns; only a start rejected before it runs
    /// is answered here.
    /// </summary>
    public async Task HandleStartAsync(StartMessage start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (StartRequestValidator.Validate(start) is { } invalid)
        {
            Log.InvalidStart(_logger, start.Id, invalid);
            return;
        }

        if (!TaskTargeting.IsFor(start, _options.PropletId))
        {
            Log.StartForOtherProplet(_logger, start.Id, start.PropletId);
            return;
        }

        if (start.Encrypted)
        {
            await RejectAsync(start.Id, TeeUnavailableError).ConfigureAwait(false);
            return;
        }

        var execution = new TaskExecution(start.Id, start.Daemon);
        var admission = _table.Admit(execution);
        if (admission != TaskAdmission.Admitted)
        {
            execution.Dispose();
            if (admission == TaskAdmission.Duplicate)
            {
                Log.DuplicateStart(_logger, start.Id);
            }
            else
            {
                await RejectAsync(start.Id, $"proplet {_options.PropletId} is shutting down").ConfigureAwait(false);
            }

            return;
        }

        Log.TaskStarted(_logger, start.Id, start.Name, start.Daemon);
        _ = Task.Run(() => RunAsync(execution, start), CancellationToken.None);
    }

    /// <summary>Stops every execution of the task and clears its running-table entry.</summary>
    public void HandleStop(StopMessage stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        if (string.IsNullOrEmpty(stop.Id))
        {
            Log.InvalidStop(_logger, "id is required");
            return;
        }

        // The deployment goes first, so an invoke right after the stop already finds nothing.
        _latent.Remove(stop.Id);
        if (_table.Stop(stop.Id))
        {
            Log.TaskStopped(_logger, stop.Id);
        }
        else if (string.Equals(stop.PropletId, _options.PropletId, StringComparison.Ordinal))
        {
            Log.StopOfUnknownTask(_logger, stop.Id);
        }
        else
        {
            // Stops go to every proplet; the ones that never ran the task have nothing to do.
            Log.StopForOtherProplet(_logger, stop.Id);
        }
    }

    /// <summary>
    /// Refuses new starts, stops every task and latent invocation and waits until their results are out or
    /// <paramref name="cancellationToken"/> fires, which abandons results still being retried.
    /// </summary>
    public async Task StopAllAsync(CancellationToken cancellationToken)
    {
        Log.StoppingAllTasks(_logger, _table.InFlightCount);
        try
        {
            await _table.StopAll().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.TasksStillRunningAtShutdown(_logger, _table.InFlightCount);
            await _publishing.CancelAsync().ConfigureAwait(false);
        }

        await _latent.StopAllAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _publishing.Dispose();

    private async Task RejectAsync(string taskId, string reason)
    {
        Log.TaskRejected(_logger, taskId, reason);
        await _results.PublishAsync(taskId, "", reason, _publishing.Token).ConfigureAwait(false);
    }

    private async Task RunAsync(TaskExecution execution, StartMessage start)
    {
        var taskId = execution.TaskId;
        var stopToken = execution.StopToken;
        var reported = false;
        string? output = null;
        string? error = null;
        try
        {
            try
            {
                var wasm = await _binaries.AcquireAsync(start, stopToken).ConfigureAwait(false);
                if (start.Latent)
                {
                    await HoldLatentAsync(execution, start, wasm).ConfigureAwait(false);
                    return;
                }

                // Sampling spans the whole run: for a daemon, until it stops, not just until its immediate result.
                var monitoring = _monitor.Start(taskId, TaskMonitor.ProfileFor(start));
                try
                {
                    var run = _runtime.RunAsync(BuildRequest(start, wasm, monitoring), stopToken);
                    if (execution.Daemon)
                    {
                        // A daemon reports success at once and leaves the table; its later outcome is only logged.
                        reported = true;
                        _table.Release(execution);
                        await _results.PublishAsync(taskId, "", null, _publishing.Token).ConfigureAwait(false);
                    }

                    output = await run.ConfigureAwait(false);
                }
                finally
                {
                    if (monitoring is not null)
                    {
                        await monitoring.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
            {
                error = CancelledError;
            }
            catch (Exception e) when (e is TaskFailedException or WasmExecutionException)
            {
                error = e.Message;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.TaskCrashed(_logger, taskId, e);
                error = $"Task failed: {e.Message}";
            }

            Record(execution, error);
            if (!reported)
            {
                // Whoever reads the result may start the same id again at once: it leaves the table first, and stays
                // in flight so shutdown still waits for the publish.
                _table.Release(execution);
                await _results.PublishAsync(taskId, output ?? "", error, _publishing.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _table.Finish(execution);
        }
    }

    // A deployed latent task stays in the running table, publishing nothing, until a stop (or shutdown) removes it.
    private async Task HoldLatentAsync(TaskExecution execution, StartMessage start, ReadOnlyMemory<byte> wasm)
    {
        var task = new LatentTask(
            start.Id,
            start.Name,
            wasm,
            TaskEnvironment.Build(start.Env, _options.PropletId),
            start.Inputs ?? [],
            start.TimeoutMs is > 0 ? TimeSpan.FromMilliseconds(start.TimeoutMs.Value) : null);
        _latent.Deploy(task);
        try
        {
            await Task.Delay(Timeout.Infinite, execution.StopToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The stop this task waits for.
        }
        finally
        {
            // Usually done by the stop already; shutdown ends here.
            _latent.Remove(task);
        }
    }

    private WasmRunRequest BuildRequest(StartMessage start, ReadOnlyMemory<byte> wasm, TaskMonitoring? monitoring) => new()
    {
        TaskId = start.Id,
        FunctionName = start.Name,
        Wasm = wasm,
        Inputs = start.Inputs ?? [],
        Env = TaskEnvironment.Build(start.Env, _options.PropletId),
        PreopenDirs = _options.Dirs,
        CliArgs = start.CliArgs ?? [],
        Timeout = start.TimeoutMs is > 0 ? TimeSpan.FromMilliseconds(start.TimeoutMs.Value) : null,
        OnGuestThreadStarted = monitoring is null ? null : monitoring.AttachCurrentThread,
    };

    private void Record(TaskExecution execution, string? error)
    {
        // A daemon ends when it is stopped; its success was reported at start, so a stop is not a failure.
        var daemonStopped = execution.Daemon && error == CancelledError;
        if (error is null || daemonStopped)
        {
            _metrics.TaskCompleted();
        }
        else
        {
            _metrics.TaskFailed();
        }

        switch (execution.Daemon, error)
        {
            case (true, null):
                Log.DaemonFinished(_logger, execution.TaskId);
                break;
            case (true, CancelledError):
                Log.DaemonStopped(_logger, execution.TaskId);
                break;
            case (true, _):
                Log.DaemonFailed(_logger, execution.TaskId, error);
                break;
            case (false, null):
                Log.TaskCompleted(_logger, execution.TaskId);
                break;
            case (false, CancelledError):
                Log.TaskCancelled(_logger, execution.TaskId);
                break;
            default:
                Log.TaskFailed(_logger, execution.TaskId, error);
                break;
        }
    }
}
