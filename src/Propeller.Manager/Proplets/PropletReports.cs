using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Proplets;

/// <summary>
/// What proplets say about themselves: discovery, heartbeats, Last Wills and system metrics
/// (manager-reference §3.3 with DECISIONS §4 Manager 7).
/// </summary>
internal sealed partial class PropletReports(
    IPropellerStore store,
    PropletLocks locks,
    DirectControlProplets direct,
    TimeProvider timeProvider,
    ILogger<PropletReports> logger)
{
    /// <summary>Registers a new proplet, or refreshes the metadata of a known one, keeping its name and history.</summary>
    public async Task RecordDiscoveryAsync(DiscoveryMessage discovery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discovery);
        using var held = await locks.AcquireAsync(discovery.PropletId, cancellationToken).ConfigureAwait(false);
        direct.Record(discovery.PropletId, discovery.DirectControl);
        if (await store.Proplets.GetAsync(discovery.PropletId, cancellationToken).ConfigureAwait(false) is null
            && await TryCreateAsync(discovery.PropletId, discovery.Metadata, cancellationToken).ConfigureAwait(false) is { } created)
        {
            Log.PropletDiscovered(logger, created.Id, created.Name);
            return;
        }

        await store.Proplets.UpdateMetadataAsync(discovery.PropletId, discovery.Metadata, cancellationToken).ConfigureAwait(false);
        Log.PropletMetadataRefreshed(logger, discovery.PropletId);
    }

    /// <summary>
    /// A heartbeat records the time, creating an unknown proplet first; a Last Will (<c>status:"offline"</c>)
    /// marks the proplet dead at once.
    /// </summary>
    public async Task RecordHeartbeatAsync(HeartbeatMessage heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);

        // Taken before the first await, so the lock is queued for in the order the messages arrived.
        using var held = await locks.AcquireAsync(heartbeat.PropletId, cancellationToken).ConfigureAwait(false);
        if (heartbeat.IsOffline)
        {
            try
            {
                await store.Proplets.MarkOfflineAsync(heartbeat.PropletId, cancellationToken).ConfigureAwait(false);
                Log.PropletOffline(logger, heartbeat.PropletId);
            }
            catch (EntityNotFoundException)
            {
                Log.OfflineForUnknownProplet(logger, heartbeat.PropletId);
            }

            return;
        }

        if (await store.Proplets.GetAsync(heartbeat.PropletId, cancellationToken).ConfigureAwait(false) is null
            && await TryCreateAsync(heartbeat.PropletId, null, cancellationToken).ConfigureAwait(false) is { } created)
        {
            Log.PropletCreatedFromHeartbeat(logger, created.Id, created.Name);
        }

        await store.Proplets.RecordHeartbeatAsync(heartbeat.PropletId, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores a system metrics sample. A proplet not known yet is registered first: its metrics may overtake its
    /// discovery (messages are handled concurrently), and the original never re-sends discovery.
    /// </summary>
    public async Task RecordMetricsAsync(PropletMetricsMessage metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        // Explicit JSON nulls would reach the non-nullable parts; the SQL columns refuse them.
        var sample = metrics with
        {
            CpuMetrics = metrics.CpuMetrics ?? new CpuMetrics(),
            MemoryMetrics = metrics.MemoryMetrics ?? new MemoryMetrics(),
            Timestamp = metrics.Timestamp == DateTimeOffset.MinValue ? timeProvider.GetUtcNow() : metrics.Timestamp,
        };
        using var held = await locks.AcquireAsync(sample.PropletId, cancellationToken).ConfigureAwait(false);
        if (await store.Proplets.GetAsync(sample.PropletId, cancellationToken).ConfigureAwait(false) is null
            && await TryCreateAsync(sample.PropletId, null, cancellationToken).ConfigureAwait(false) is { } created)
        {
            Log.PropletCreatedFromMetrics(logger, created.Id, created.Name);
        }

        await store.Metrics.AddPropletMetricsAsync(sample, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the proplet; null when another message created it first.</summary>
    private async Task<Proplet?> TryCreateAsync(string id, PropletMetadata? metadata, CancellationToken cancellationToken)
    {
        var proplet = new Proplet { Id = id, Name = PropletNames.Next(), Metadata = metadata };
        try
        {
            await store.Proplets.CreateAsync(proplet, cancellationToken).ConfigureAwait(false);
            return proplet;
        }
        catch (EntityConflictException)
        {
            return null;
        }
    }
}
