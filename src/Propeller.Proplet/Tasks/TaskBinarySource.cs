using Propeller.Contracts.Messages;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// Obtains a task's Wasm binary (proplet-reference §2.2). Only the inline base64 <c>file</c> is delivered by this
/// proplet; an <c>image_url</c> fails the task with a clear error.
/// </summary>
internal sealed class TaskBinarySource(PropletMetrics metrics)
{
    /// <exception cref="TaskFailedException">The binary cannot be obtained; the message is the result error.</exception>
    public ValueTask<ReadOnlyMemory<byte>> AcquireAsync(StartMessage start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrEmpty(start.File))
        {
            throw new TaskFailedException($"unsupported image_url '{start.ImageUrl}': only inline file delivery is available");
        }

        byte[] wasm;
        try
        {
            wasm = Convert.FromBase64String(start.File);
        }
        catch (FormatException e)
        {
            throw new TaskFailedException($"invalid base64 in file of task {start.Id}: {e.Message}", e);
        }

        metrics.WasmFetched(wasm.Length);
        return ValueTask.FromResult<ReadOnlyMemory<byte>>(wasm);
    }
}
