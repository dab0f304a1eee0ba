using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Delivery;

/// <summary>
/// Obtains a binary through the proxy (proplet-reference §2.4, DECISIONS proplet 6). A task registers as a waiter
/// on its <c>app_name</c> before the fetch request goes out; chunks on <c>registry/server</c> are assembled per
/// <c>app_name</c>, and the moment the last one arrives the binary is verified, cached and handed to every waiter
/// at once. <c>registry/status</c> fails the waiters at once (<c>error</c>) or completes them from the cache
/// (<c>unchanged</c>). Chunks for an <c>app_name</c> nobody here waits for are dropped unread: the topic is a
/// broadcast, and small devices cannot hold every other proplet's downloads.
/// </summary>
internal sealed partial class RegistryBinarySource : IDisposable
{
    public const string ChunkTimeoutError = "Timeout waiting for binary chunks";

    private readonly PropellerMqttClient _client;
    private readonly TopicBuilder _topics;
    private readonly DeliveryOptions _options;
    private readonly BinaryCache _cache;
    private readonly BinarySourceIndex _index;
    private readonly PropletMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, List<Waiter>> _waiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChunkAssembly> _assemblies = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly ITimer _sweep;

    public RegistryBinarySource(
        PropellerMqttClient client,
        TopicBuilder topics,
        DeliveryOptions options,
        BinaryCache cache,
        BinarySourceIndex index,
        PropletMetrics metrics,
        TimeProvider time,
        ILogger<RegistryBinarySource> logger)
    {
        _client = client;
        _topics = topics;
        _options = options;
        _cache = cache;
        _index = index;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _sweep = time.CreateTimer(_ => SweepStale(), null, options.AssemblySweepInterval, options.AssemblySweepInterval);
    }

    /// <summary>Assemblies in progress (for tests and diagnostics).</summary>
    public int PendingAssemblies
    {
        get
        {
            lock (_lock)
            {
                return _assemblies.Count;
            }
        }
    }

    /// <summary>Tasks waiting for a binary from the proxy.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Values.Sum(list => list.Count);
            }
        }
    }

    /// <summary>The binary <paramref name="appName"/> names, from the cache or from the proxy.</summary>
    /// <exception cref="TaskFailedException">The proxy reported an error, the wait timed out, or the chunks were bad.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (the task was stopped).</exception>
    public async Task<byte[]> AcquireAsync(string appName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(appName);
        var known = _index.Get(appName);
        if (known is not null && WasmDigest.IsPinnedReference(appName) && _cache.TryRead(known.Digest) is { } pinned)
        {
            Log.PinnedFromCache(_logger, appName, known.Digest);
            _metrics.BinaryCacheHit();
            return pinned;
        }

        var waiter = new Waiter();
        bool first;
        lock (_lock)
        {
            first = !_waiters.TryGetValue(appName, out var list);
            if (list is null)
            {
                list = [];
                _waiters[appName] = list;
            }

            list.Add(waiter);
        }

        try
        {
            if (first)
            {
                // Only the first waiter asks; the others share its delivery.
                var held = known is not null && _cache.Contains(known.Digest) ? WasmDigest.ToWire(known.Digest) : null;
                try
                {
                    await RequestAsync(appName, held, cancellationToken).ConfigureAwait(false);
                }
                catch (TaskFailedException e)
                {
                    // Tasks that joined meanwhile rely on this request: they fail with it rather than time out.
                    List<Waiter> joined;
                    lock (_lock)
                    {
                        joined = TakeWaiters(appName);
                    }

                    Fail(joined, e.Message);
                    throw;
                }
            }

            using var deadline = new CancellationTokenSource(_options.ChunkTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            Delivery delivery;
            try
            {
                delivery = await waiter.Completion.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TaskFailedException(ChunkTimeoutError);
            }

            if (delivery.FromCache)
            {
                _metrics.BinaryCacheHit();
            }
            else
            {
                _metrics.BinaryCacheMiss();
            }

            return delivery.Bytes;
        }
        finally
        {
            Forget(appName, waiter);
        }
    }

    /// <summary>One chunk from <c>registry/server</c>, already parsed.</summary>
    public void OnChunk(ChunkMessage chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var appName = chunk.AppName;
        if (string.IsNullOrEmpty(appName))
        {
            Log.ChunkRejected(_logger, appName, chunk.ChunkIdx, "app_name is empty");
            return;
        }

        lock (_lock)
        {
            if (!_waiters.ContainsKey(appName) && !_assemblies.ContainsKey(appName))
            {
                Log.UnsolicitedChunk(_logger, appName, chunk.ChunkIdx);
                return;
            }
        }

        if (chunk.TotalChunks <= 0 || chunk.TotalChunks > _options.MaxBinaryBytes)
        {
            Log.ChunkRejected(_logger, appName, chunk.ChunkIdx, $"total_chunks {chunk.TotalChunks} is out of range");
            return;
        }

        if (chunk.ChunkIdx < 0 || chunk.ChunkIdx >= chunk.TotalChunks)
        {
            Log.ChunkRejected(_logger, appName, chunk.ChunkIdx, $"chunk_idx is outside 0..{chunk.TotalChunks - 1}");
            return;
        }

        if (chunk.Data is null)
        {
            Log.ChunkRejected(_logger, appName, chunk.ChunkIdx, "data is missing");
            return;
        }

        byte[] data;
        try
        {
            data = Convert.FromBase64String(chunk.Data);
        }
        catch (FormatException)
        {
            Log.ChunkRejected(_logger, appName, chunk.ChunkIdx, "data is not valid base64");
            return;
        }

        ChunkAssembly? finished = null;
        List<Waiter>? failed = null;
        lock (_lock)
        {
            if (!_assemblies.TryGetValue(appName, out var assembly))
            {
                if (!_waiters.ContainsKey(appName))
                {
                    Log.UnsolicitedChunk(_logger, appName, chunk.ChunkIdx);
                    return;
                }

                assembly = new ChunkAssembly(appName, chunk.TotalChunks, chunk.Digest, _time.GetTimestamp());
                _assemblies[appName] = assembly;
            }

            if (assembly.TotalChunks != chunk.TotalChunks)
            {
                Log.ChunkRejected(
                    _logger, appName, chunk.ChunkIdx, $"total_chunks {chunk.TotalChunks} differs from the assembly's {assembly.TotalChunks}");
                return;
            }

            if (chunk.Digest is not null && assembly.Digest is not null
                && !string.Equals(chunk.Digest, assembly.Digest, StringComparison.OrdinalIgnoreCase))
            {
                Log.ChunkRejected(_logger, appName, chunk.ChunkIdx, $"digest {chunk.Digest} differs from the assembly's {assembly.Digest}");
                return;
            }

            switch (assembly.Add(chunk.ChunkIdx, data, _options.MaxBinaryBytes))
            {
                case ChunkAddition.Duplicate:
                    Log.DuplicateChunk(_logger, appName, chunk.ChunkIdx);
                    return;
                case ChunkAddition.TooLarge:
                    _assemblies.Remove(appName);
                    failed = TakeWaiters(appName);
                    break;
                case ChunkAddition.Completed:
                    _assemblies.Remove(appName);
                    finished = assembly;
                    break;
                default:
                    return;
            }
        }

        if (failed is not null)
        {
            var error = $"binary for {appName} from the proxy exceeds size limit ({_options.MaxBinaryBytes} bytes)";
            Log.AssemblyFailed(_logger, appName, error);
            Fail(failed, error);
            return;
        }

        Complete(finished!);
    }

    /// <summary>One message from <c>registry/status</c>, already parsed.</summary>
    public void OnStatus(RegistryStatusMessage status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var appName = status.AppName;
        if (string.IsNullOrEmpty(appName))
        {
            Log.StatusIgnored(_logger, appName, "app_name is empty");
            return;
        }

        if (!string.IsNullOrEmpty(status.Error))
        {
            List<Waiter> waiters;
            lock (_lock)
            {
                _assemblies.Remove(appName);
                waiters = TakeWaiters(appName);
            }

            if (waiters.Count > 0)
            {
                Log.ProxyError(_logger, appName, status.Error, waiters.Count);
                Fail(waiters, status.Error);
            }

            return;
        }

        if (!status.Unchanged)
        {
            Log.StatusIgnored(_logger, appName, "neither error nor unchanged");
            return;
        }

        lock (_lock)
        {
            if (!_waiters.ContainsKey(appName))
            {
                return;
            }
        }

        var digest = WasmDigest.HexFromWire(status.Digest);
        if (digest is not null && _cache.TryRead(digest) is { } cached)
        {
            _index.Set(appName, new SourceRecord(digest));
            List<Waiter> waiters;
            lock (_lock)
            {
                waiters = TakeWaiters(appName);
            }

            Log.UnchangedFromCache(_logger, appName, digest, waiters.Count);
            foreach (var waiter in waiters)
            {
                waiter.Completion.TrySetResult(new Delivery(cached, FromCache: true));
            }

            return;
        }

        // The cache lost that binary since the request went out (or another proplet asked): ask for the chunks.
        Log.UnchangedNotCached(_logger, appName, status.Digest);
        _ = RequestInBackgroundAsync(appName);
    }

    public void Dispose() => _sweep.Dispose();

    /// <summary>Drops assemblies older than <see cref="DeliveryOptions.AssemblyMaxAge"/>; the sweep timer calls it.</summary>
    public void SweepStale()
    {
        List<ChunkAssembly> stale;
        lock (_lock)
        {
            stale = _assemblies.Values.Where(a => _time.GetElapsedTime(a.CreatedAt) > _options.AssemblyMaxAge).ToList();
            foreach (var assembly in stale)
            {
                _assemblies.Remove(assembly.AppName);
            }
        }

        foreach (var assembly in stale)
        {
            Log.StaleAssemblyRemoved(_logger, assembly.AppName, assembly.Received, assembly.TotalChunks);
        }
    }

    private void Complete(ChunkAssembly assembly)
    {
        var appName = assembly.AppName;
        var bytes = assembly.Concatenate();
        var digest = WasmDigest.HexOf(bytes);
        if (assembly.Digest is { } expected && !string.Equals(expected, WasmDigest.ToWire(digest), StringComparison.OrdinalIgnoreCase))
        {
            var error = $"binary for {appName} failed verification: the proxy announced {expected} but the chunks hash to {WasmDigest.ToWire(digest)}";
            List<Waiter> failed;
            lock (_lock)
            {
                failed = TakeWaiters(appName);
            }

            Log.AssemblyFailed(_logger, appName, error);
            Fail(failed, error);
            return;
        }

        _cache.Store(digest, bytes);
        _index.Set(appName, new SourceRecord(digest));
        List<Waiter> waiters;
        lock (_lock)
        {
            waiters = TakeWaiters(appName);
        }

        Log.Assembled(_logger, appName, assembly.TotalChunks, bytes.Length, digest, waiters.Count);
        foreach (var waiter in waiters)
        {
            waiter.Completion.TrySetResult(new Delivery(bytes, FromCache: false));
        }
    }

    private async Task RequestAsync(string appName, string? heldDigest, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PublishAsync(
                _topics.RegistryProplet,
                new FetchRequestMessage { AppName = appName, Digest = heldDigest },
                PropellerJson.Context.FetchRequestMessage,
                cancellationToken).ConfigureAwait(false);
            Log.FetchRequested(_logger, appName, heldDigest);
        }
        catch (MqttPublishException e)
        {
            throw new TaskFailedException($"could not request {appName} from the proxy: {e.Message}", e);
        }
    }

    private async Task RequestInBackgroundAsync(string appName)
    {
        try
        {
            await RequestAsync(appName, heldDigest: null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TaskFailedException e)
        {
            // The waiters time out as they would for a lost chunk.
            Log.FetchRequestFailed(_logger, appName, e.Message);
        }
    }

    // Caller holds the lock. The waiters leave the table; each one's own cleanup then finds nothing to remove.
    private List<Waiter> TakeWaiters(string appName) =>
        _waiters.Remove(appName, out var waiters) ? waiters : [];

    private static void Fail(List<Waiter> waiters, string error)
    {
        foreach (var waiter in waiters)
        {
            waiter.Completion.TrySetException(new TaskFailedException(error));
        }
    }

    // A stopped or timed-out task leaves; a shared assembly stays for the other waiters (and the cache).
    private void Forget(string appName, Waiter waiter)
    {
        lock (_lock)
        {
            if (_waiters.TryGetValue(appName, out var list) && list.Remove(waiter) && list.Count == 0)
            {
                _waiters.Remove(appName);
            }
        }
    }

    private sealed class Waiter
    {
        public TaskCompletionSource<Delivery> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Delivery(byte[] Bytes, bool FromCache);
}
