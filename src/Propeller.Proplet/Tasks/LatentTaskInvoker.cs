using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Messaging;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Components;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// Deploys latent tasks and runs their invocations (proplet-reference §2.8). Invocations always use the embedded
/// component runtime, each in a fresh instance and in parallel; they have no running-table entry and no plugin hooks,
/// but count in the task metrics.
/// </summary>
internal sealed partial class LatentTaskInvoker : IDisposable
{
    public const string UnsupportedError = "latent tasks are not supported by this runtime";

    private readonly PropletOptions _options;
    private readonly IWasmRuntime _runtime;
    private readonly WasmtimeComponentRuntime _components;
    private readonly LatentTaskTable _table;
    private readonly ResultPublisher _results;
    private readonly PropletMetrics _metrics;
    private readonly ILogger _logger;

    // Cancelled only when shutdown runs out of time, as for task results.
    private readonly CancellationTokenSource _publishing = new();

    public LatentTaskInvoker(
        PropletOptions options,
        IWasmRuntime runtime,
        WasmtimeComponentRuntime components,
        LatentTaskTable table,
        ResultPublisher results,
        PropletMetrics metrics,
        ILogger<LatentTaskInvoker> logger)
    {
        _options = options;
        _runtime = runtime;
        _components = components;
        _table = table;
        _results = results;
        _metrics = metrics;
        _logger = logger;
    }

    public static string NotPrecompiledError(string taskId) =>
        $"task {taskId} has not been precompiled; deploy it as a latent task first";

    public static string NotAComponentError(string taskId) =>
        $"latent tasks require a WASM component; task {taskId} is not a component";

    /// <summary>
    /// Precompiles <paramref name="task"/> and keeps it for invocations. Throws <see cref="TaskFailedException"/>
    /// when this runtime cannot hold it and <see cref="WasmExecutionException"/> when it does not compile.
    /// </summary>
    public void Deploy(LatentTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (_runtime is not WasmtimeRuntime)
        {
            throw new TaskFailedException(UnsupportedError);
        }

        if (!WasmBinary.IsComponent(task.Wasm.Span))
        {
            throw new TaskFailedException(NotAComponentError(task.TaskId));
        }

        _components.Precompile(task.TaskId, task.Wasm);
        _table.Add(task);
        Log.LatentTaskDeployed(_logger, task.TaskId, task.FunctionName);
    }

    /// <summary>Forgets the task deployed as <paramref name="taskId"/> and stops its invocations in flight.</summary>
    public void Remove(string taskId)
    {
        if (_table.Remove(taskId, only: null))
        {
            Log.LatentTaskRemoved(_logger, taskId);
        }
    }

    /// <summary>Forgets <paramref name="task"/> unless it was already removed or replaced by a redeployment.</summary>
    public void Remove(LatentTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (_table.Remove(task.TaskId, only: task))
        {
            Log.LatentTaskRemoved(_logger, task.TaskId);
        }
    }

    /// <summary>Validates and filters an invoke, then launches the invocation and returns.</summary>
    public async Task HandleInvokeAsync(InvokeMessage invoke)
    {
        ArgumentNullException.ThrowIfNull(invoke);
        if (string.IsNullOrEmpty(invoke.Id))
        {
            Log.InvalidInvoke(_logger, invoke.InvocationId, "id is required");
            return;
        }

        if (!TaskTargeting.IsFor(invoke, _options.PropletId))
        {
            Log.InvokeForOtherProplet(_logger, invoke.Id, invoke.PropletId);
            return;
        }

        var invocationId = invoke.InvocationId ?? "";
        if (!_table.TryBeginInvocation(invoke.Id, out var task, out var invocation))
        {
            Log.InvokeOfUnknownTask(_logger, invoke.Id, invocationId);
            await _results.PublishInvokeResultAsync(
                invoke.Id, invocationId, "", NotPrecompiledError(invoke.Id), _publishing.Token).ConfigureAwait(false);
            return;
        }

        _metrics.TaskStarted();
        _ = Task.Run(() => InvokeAsync(task, invocation, invoke, invocationId), CancellationToken.None);
    }

    /// <summary>
    /// Forgets every task, stops every invocation and waits until their answers are out or
    /// <paramref name="cancellationToken"/> fires, which abandons answers still being retried.
    /// </summary>
    public async Task StopAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _table.StopAll().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await _publishing.CancelAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => _publishing.Dispose();

    private async Task InvokeAsync(LatentTask task, TaskExecution invocation, InvokeMessage invoke, string invocationId)
    {
        string? output = null;
        string? error = null;
        try
        {
            try
            {
                output = await _components.RunAsync(BuildRequest(task, invocation.TaskId, invoke), invocation.StopToken)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (invocation.StopToken.IsCancellationRequested)
            {
                error = TaskSupervisor.CancelledError;
            }
            catch (WasmExecutionException e)
            {
                error = e.Message;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.InvocationCrashed(_logger, invocation.TaskId, e);
                error = $"Task failed: {e.Message}";
            }

            Record(invocation.TaskId, invocationId, error);
            await _results.PublishInvokeResultAsync(task.TaskId, invocationId, output ?? "", error, _publishing.Token)
                .ConfigureAwait(false);
        }
        finally
        {
            _table.EndInvocation(task.TaskId, invocation);
        }
    }

    private WasmRunRequest BuildRequest(LatentTask task, string invocationTaskId, InvokeMessage invoke)
    {
        // The invoke's variables win over the deployed ones; its inputs replace the deployed ones when it has any.
        var env = new Dictionary<string, string>(task.Env, StringComparer.Ordinal);
        foreach (var (name, value) in invoke.Env ?? [])
        {
            env[name] = value;
        }

        return new WasmRunRequest
        {
            TaskId = invocationTaskId,
            FunctionName = task.FunctionName,
            Wasm = task.Wasm,
            Inputs = invoke.Inputs is { Count: > 0 } inputs ? inputs : task.Inputs,
            Env = env,
            PreopenDirs = _options.Dirs,
            Timeout = task.Timeout,
        };
    }

    private void Record(string invocationTaskId, string invocationId, string? error)
    {
        _metrics.TaskLeftRunningTable();
        if (error is null)
        {
            _metrics.TaskCompleted();
            Log.InvocationCompleted(_logger, invocationTaskId, invocationId);
        }
        else if (error == TaskSupervisor.CancelledError)
        {
            _metrics.TaskFailed();
            Log.InvocationCancelled(_logger, invocationTaskId, invocationId);
        }
        else
        {
            _metrics.TaskFailed();
            Log.InvocationFailed(_logger, invocationTaskId, invocationId, error);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.LatentTaskDeployed, LogLevel.Information, "Precompiled latent task {TaskId} ({Function}); it waits for invocations")]
        public static partial void LatentTaskDeployed(ILogger logger, string taskId, string function);

        [LoggerMessage(EventIds.LatentTaskRemoved, LogLevel.Information, "Removed latent task {TaskId} and stopped its invocations")]
        public static partial void LatentTaskRemoved(ILogger logger, string taskId);

        [LoggerMessage(EventIds.InvalidInvoke, LogLevel.Warning, "Ignoring invalid invoke (invocation '{InvocationId}'): {Reason}")]
        public static partial void InvalidInvoke(ILogger logger, string? invocationId, string reason);

        [LoggerMessage(EventIds.InvokeForOtherProplet, LogLevel.Debug, "Ignoring invoke of task {TaskId}: it targets proplet {Target}")]
        public static partial void InvokeForOtherProplet(ILogger logger, string taskId, string? target);

        [LoggerMessage(EventIds.InvokeOfUnknownTask, LogLevel.Warning, "Invoke {InvocationId} of task {TaskId} refused: it has not been precompiled here")]
        public static partial void InvokeOfUnknownTask(ILogger logger, string taskId, string invocationId);

        [LoggerMessage(EventIds.InvocationCompleted, LogLevel.Information, "Invocation {TaskId} ({InvocationId}) completed")]
        public static partial void InvocationCompleted(ILogger logger, string taskId, string invocationId);

        [LoggerMessage(EventIds.InvocationFailed, LogLevel.Warning, "Invocation {TaskId} ({InvocationId}) failed: {Error}")]
        public static partial void InvocationFailed(ILogger logger, string taskId, string invocationId, string error);

        [LoggerMessage(EventIds.InvocationCancelled, LogLevel.Information, "Invocation {TaskId} ({InvocationId}) was stopped")]
        public static partial void InvocationCancelled(ILogger logger, string taskId, string invocationId);

        [LoggerMessage(EventIds.InvocationCrashed, LogLevel.Error, "Invocation {TaskId} failed unexpectedly")]
        public static partial void InvocationCrashed(ILogger logger, string taskId, Exception exception);
    }
}
