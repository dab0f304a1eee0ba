using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Diagnostics;
using Propeller.Proxy.Publishing;

namespace Propeller.Proxy.Fetching;

/// <summary>
/// Schedules fetch jobs: one job per <c>app_name</c> at a time, a bounded queue of waiting jobs, and at most
/// <c>PROXY_MAX_CONCURRENT_FETCHES</c> running. A request for an <c>app_name</c> whose job has not started replying
/// joins it; one arriving while the job publishes makes the job run once more afterwards (served from the cache),
/// so every requester gets a complete stream without a second download.
/// </summary>
internal sealed partial class FetchCoordinator : IDisposable
{
    /// <summary>Jobs waiting for a free fetch slot, as in the original proxy.</summary>
    public const int QueueCapacity = 100;

    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(5);

    private readonly ArtifactSource _source;
    private readonly ChunkPublisher _publisher;
    private readonly ProxyMetrics _metrics;
    private readonly ILogger _logger;
    private readonly int _chunkSize;
    private readonly Channel<FetchJob> _queue = Channel.CreateBounded<FetchJob>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });
    private readonly Dictionary<string, FetchJob> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _running = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _abort = new();
    private Task _dispatcher = Task.CompletedTask;
    private bool _stopping;

    public FetchCoordinator(ArtifactSource source, ChunkPublisher publisher, ProxyOptions options, ProxyMetrics metrics, ILogger<FetchCoordinator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _publisher = publisher;
        _metrics = metrics;
        _logger = logger;
        _chunkSize = options.ChunkSize;
        _slots = new SemaphoreSlim(options.MaxConcurrentFetches);
    }

    /// <summary>Jobs queued or running.</summary>
    public int ActiveJobs
    {
        get
        {
            lock (_lock)
            {
                return _jobs.Count;
            }
        }
    }

    public void Start() => _dispatcher = Task.Run(DispatchAsync);

    /// <summary>Queues a job for <paramref name="appName"/>, or adds the request to the job that already exists.</summary>
    public FetchAdmission Submit(string appName, string? digest)
    {
        ArgumentException.ThrowIfNullOrEmpty(appName);
        lock (_lock)
        {
            if (_stopping)
            {
                return FetchAdmission.Stopping;
            }

            if (_jobs.TryGetValue(appName, out var existing))
            {
                if (!existing.Frozen)
                {
                    existing.Requesters.Add(digest);
                    return FetchAdmission.Joined;
                }

                existing.Next.Add(digest);
                return FetchAdmission.RepublishScheduled;
            }

            var job = new FetchJob(appName);
            job.Requesters.Add(digest);
            if (!_queue.Writer.TryWrite(job))
            {
                return FetchAdmission.QueueFull;
            }

            _jobs[appName] = job;
            return FetchAdmission.Queued;
        }
    }

    /// <summary>
    /// Takes no new requests, then lets queued and running jobs finish. When <paramref name="cancellationToken"/>
    /// fires first, the jobs are cancelled.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _stopping = true;
            _queue.Writer.TryComplete();
        }

        try
        {
            await _dispatcher.WaitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(RunningJobs()).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.DrainTimedOut(_logger, ActiveJobs);
            await _abort.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(RunningJobs().Append(_dispatcher)).WaitAsync(AbortGrace, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Left to finish on their own; nothing they do can reach the broker any more.
            }
        }
    }

    public void Dispose()
    {
        _abort.Cancel();
        _abort.Dispose();
        _slots.Dispose();
    }

    private Task[] RunningJobs()
    {
        lock (_lock)
        {
            return [.. _running];
        }
    }

    private async Task DispatchAsync()
    {
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await _slots.WaitAsync(_abort.Token).ConfigureAwait(false);
                var task = Task.Run(() => RunJobAsync(job));
                lock (_lock)
                {
                    _running.Add(task);
                }

                _ = task.ContinueWith(
                    finished =>
                    {
                        lock (_lock)
                        {
                            _running.Remove(finished);
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // Shut down before the queued jobs got a slot.
        }
    }

    private async Task RunJobAsync(FetchJob job)
    {
        try
        {
            while (true)
            {
                await RunOnceAsync(job, _abort.Token).ConfigureAwait(false);
                lock (_lock)
                {
                    if (job.Next.Count == 0)
                    {
                        _jobs.Remove(job.AppName);
                        return;
                    }

                    job.Requesters = job.Next;
                    job.Next = [];
                    job.Frozen = false;
                }

                Log.RepublishStarting(_logger, job.AppName);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            Log.JobCancelledAtShutdown(_logger, job.AppName);
            Forget(job);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.JobCrashed(_logger, job.AppName, e);
            Forget(job);
            _metrics.FetchFailed();
            try
            {
                await _publisher.PublishStatusAsync(
                    new RegistryStatusMessage { AppName = job.AppName, Error = $"proxy failed while fetching {job.AppName}: {e.Message}" }, _abort.Token)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                // Shutting down: the waiters time out on their own.
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task RunOnceAsync(FetchJob job, CancellationToken cancellationToken)
    {
        try
        {
            var reference = ArtifactSource.ParseReference(job.AppName);
            var artifact = await _source.ResolveAsync(reference, job.AppName, cancellationToken).ConfigureAwait(false);
            var digest = artifact.Layer.Digest;

            // Everyone already holds this artifact: reply without touching the blob at all.
            byte[]? bytes = null;
            var requesters = FreezeIf(job, all => all.TrueForAll(d => Holds(d, digest)));
            if (requesters is null)
            {
                bytes = await _source.GetBytesAsync(artifact, job.AppName, cancellationToken).ConfigureAwait(false);
                requesters = FreezeIf(job, _ => true)!;
            }

            if (requesters.Exists(d => Holds(d, digest)))
            {
                await _publisher.PublishStatusAsync(
                    new RegistryStatusMessage { AppName = job.AppName, Digest = digest, Unchanged = true }, cancellationToken).ConfigureAwait(false);
                _metrics.UnchangedReplied();
                Log.UnchangedReplied(_logger, job.AppName, digest);
            }

            if (bytes is not null)
            {
                await _publisher.PublishChunksAsync(job.AppName, digest, bytes, cancellationToken).ConfigureAwait(false);
                Log.ArtifactPublished(_logger, job.AppName, digest, bytes.Length, ChunkPublisher.ChunkCount(bytes.Length, _chunkSize), requesters.Count);
            }
        }
        catch (Exception e) when (e is FetchFailedException or ChunkPublishException)
        {
            FreezeIf(job, _ => true);
            _metrics.FetchFailed();
            Log.FetchFailed(_logger, job.AppName, e.Message);
            await _publisher.PublishStatusAsync(new RegistryStatusMessage { AppName = job.AppName, Error = e.Message }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Freezes the current run and returns its requesters when <paramref name="condition"/> holds for them.</summary>
    private List<string?>? FreezeIf(FetchJob job, Predicate<List<string?>> condition)
    {
        lock (_lock)
        {
            if (job.Frozen || condition(job.Requesters))
            {
                job.Frozen = true;
                return [.. job.Requesters];
            }

            return null;
        }
    }

    private void Forget(FetchJob job)
    {
        lock (_lock)
        {
            _jobs.Remove(job.AppName);
        }
    }

    private static bool Holds(string? requesterDigest, string digest) =>
        requesterDigest is not null && string.Equals(requesterDigest, digest, StringComparison.OrdinalIgnoreCase);
}
