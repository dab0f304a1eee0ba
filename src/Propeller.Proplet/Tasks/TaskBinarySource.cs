using Propeller.Contracts.Messages;
using Propeller.Proplet.Delivery;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// Obtains a task's Wasm binary (proplet-reference §2.2), in the original's order: the inline base64 <c>file</c>,
/// else an <c>http(s)://</c> <c>image_url</c> downloaded directly, else any other <c>image_url</c> through the proxy.
/// A stop cancels a download or a wait for chunks.
/// </summary>
internal sealed class TaskBinarySource(PropletMetrics metrics, HttpBinarySource http, RegistryBinarySource registry)
{
    public const string InlineSource = "inline";
    public const string HttpSource = "http";
    public const string ProxySource = "proxy";

    /// <exception cref="TaskFailedException">The binary cannot be obtained; the message is the result error.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (the task was stopped).</exception>
    public async ValueTask<ReadOnlyMemory<byte>> AcquireAsync(StartMessage start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        cancellationToken.ThrowIfCancellationRequested();
        string source;
        byte[] wasm;
        if (!string.IsNullOrEmpty(start.File))
        {
            source = InlineSource;
            try
            {
                wasm = Convert.FromBase64String(start.File);
            }
            catch (FormatException e)
            {
                throw new TaskFailedException($"invalid base64 in file of task {start.Id}: {e.Message}", e);
            }
        }
        else if (string.IsNullOrEmpty(start.ImageUrl))
        {
            throw new TaskFailedException("either file or image_url must be provided");
        }
        else if (IsHttp(start.ImageUrl))
        {
            source = HttpSource;
            wasm = await http.FetchAsync(start.ImageUrl, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            source = ProxySource;
            wasm = await registry.AcquireAsync(start.ImageUrl, cancellationToken).ConfigureAwait(false);
        }

        metrics.BinaryFetched(source, wasm.Length);
        return wasm;
    }

    private static bool IsHttp(string url) =>
        url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
