using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Propeller.Proplet.Runtimes.Limits;

namespace Propeller.Proplet.Runtimes.Host;

/// <summary>
/// Runs each task in an external Wasm runtime process, such as the wasmtime CLI (proplet-reference §3.8). The
/// binary goes to a private temporary file that is deleted afterwards; the child gets a scrubbed environment, no
/// stdin, and its stdout and stderr are drained while it runs. Exit status 0 makes stdout the result. A stop
/// SIGKILLs the process and everything it started and is reported, as the original host runtime words it, as the
/// failure <c>Task &lt;id&gt; was stopped before completion</c>. The task's time limit applies too; memory and fuel
/// limits are the external runtime's business.
/// </summary>
internal sealed partial class HostProcessRuntime : IWasmRuntime
{
    // After the child exited, its pipes close at once unless a grandchild it left behind still holds them.
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    private readonly WasmRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, int> _processes = new(StringComparer.Ordinal);

    public HostProcessRuntime(string runtimePath, WasmRuntimeOptions options, ILogger<HostProcessRuntime> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimePath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        RuntimePath = runtimePath;
        _options = options;
        _logger = logger;
    }

    /// <summary>The full path of the external runtime program.</summary>
    public string RuntimePath { get; }

    /// <summary>The process id running <paramref name="taskId"/>, while it runs (for task metrics).</summary>
    public int? ProcessIdOf(string taskId) => _processes.TryGetValue(taskId, out var id) ? id : null;

    public static string StoppedError(string taskId) => $"Task {taskId} was stopped before completion";

    public async Task<string> RunAsync(WasmRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (cancellationToken.IsCancellationRequested)
        {
            throw new WasmExecutionException(StoppedError(request.TaskId));
        }

        var wasmPath = await WriteTempFileAsync(request).ConfigureAwait(false);
        try
        {
            return await RunProcessAsync(request, wasmPath, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            DeleteTempFile(request.TaskId, wasmPath);
        }
    }

    private async Task<string> RunProcessAsync(WasmRunRequest request, string wasmPath, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = CreateStartInfo(request, wasmPath) };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or ArgumentException or InvalidOperationException)
        {
            throw new WasmExecutionException($"Failed to start the external Wasm runtime {RuntimePath}: {e.Message}", e);
        }

        // The task's wall-clock limit (timeout_ms or PROPLET_TASK_TIMEOUT) ends the process like a stop does.
        var limits = TaskLimits.For(request, _options);
        using var deadline = new CancellationTokenSource();
        if (limits.Timeout > TimeSpan.Zero)
        {
            deadline.CancelAfter(limits.Timeout);
        }

        using var stopOrDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var processId = process.Id;
        _processes[request.TaskId] = processId;
        Log.ProcessStarted(_logger, request.TaskId, RuntimePath, processId);
        var stdout = new BoundedOutput(_options.MaxOutputBytes);
        var stderr = new BoundedOutput(_options.MaxOutputBytes);
        var drains = Task.WhenAll(
            OutputDrain.ReadToEndAsync(process.StandardOutput.BaseStream, stdout),
            OutputDrain.ReadToEndAsync(process.StandardError.BaseStream, stderr));
        try
        {
            CloseInput(process);
            await process.WaitForExitAsync(stopOrDeadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (stopOrDeadline.IsCancellationRequested)
        {
            Kill(process, request.TaskId);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await FinishDrainsAsync(drains, request.TaskId, processId).ConfigureAwait(false);
            throw new WasmExecutionException(
                cancellationToken.IsCancellationRequested ? StoppedError(request.TaskId) : limits.TimeExceeded, e);
        }
        finally
        {
            _processes.TryRemove(KeyValuePair.Create(request.TaskId, processId));
        }

        await FinishDrainsAsync(drains, request.TaskId, processId).ConfigureAwait(false);
        if (process.ExitCode == 0)
        {
            return stdout.ToString();
        }

        var errors = stderr.ToString().TrimEnd();
        var message = $"Process exited with status: {process.ExitCode}";
        throw new WasmExecutionException(errors.Length > 0 ? $"{message}, stderr: {errors}" : message);
    }

    private ProcessStartInfo CreateStartInfo(WasmRunRequest request, string wasmPath)
    {
        var startInfo = new ProcessStartInfo(RuntimePath, HostRuntimeArguments.Build(request, wasmPath))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.Environment.Clear();
        foreach (var (name, value) in ChildEnvironment.Build(request.Env, Environment.GetEnvironmentVariable))
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    // The child reads end-of-file from stdin, as with the original's null stdin.
    private static void CloseInput(Process process)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child already exited and closed its end.
        }
    }

    private void Kill(Process process, string taskId)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            Log.ProcessKilled(_logger, taskId, process.Id);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own just before the stop.
        }
    }

    private async Task FinishDrainsAsync(Task drains, string taskId, int processId)
    {
        try
        {
            await drains.WaitAsync(DrainGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.OutputIncomplete(_logger, taskId, processId);
        }
    }

    private static async Task<string> WriteTempFileAsync(WasmRunRequest request)
    {
        var path = Path.Combine(Path.GetTempPath(), $"proplet_{SafeName(request.TaskId)}_{Guid.NewGuid():N}.wasm");
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(path, file);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(request.Wasm).ConfigureAwait(false);
        }

        return path;
    }

    private void DeleteTempFile(string taskId, string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.TempFileNotDeleted(_logger, taskId, path, e);
        }
    }

    // Task ids come from the network: only harmless characters reach the file name.
    private static string SafeName(string taskId)
    {
        var safe = new string(taskId.Take(64).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        return safe.Length > 0 ? safe : "task";
    }
}
