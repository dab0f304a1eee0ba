using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Proplets;

/// <summary>The REST side of the proplet registry (manager-reference §1.2 rows 1-6, §3.1, §3.6).</summary>
internal sealed partial class PropletService(IPropellerStore store, PropletLocks locks, TopicBuilder topics, TimeProvider timeProvider, ILogger<PropletService> logger)
{
    /// <summary>A page ordered by id; <paramref name="status"/> is <c>active</c>, <c>inactive</c> or empty.</summary>
    public Task<Page<Proplet>> ListAsync(string? status, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        var alive = PropletStatusFilter.Parse(status);
        var since = timeProvider.GetUtcNow() - Proplet.LivenessWindow;
        return store.Proplets.ListAsync(alive, since, offset, limit, cancellationToken);
    }

    public async Task<Proplet> GetAsync(string id, CancellationToken cancellationToken) =>
        await store.Proplets.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException($"proplet {id} not found");

    /// <summary>Deletes an idle proplet; one with active tasks is a conflict.</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        // A heartbeat being saved meanwhile would otherwise find its proplet gone half way.
        using var held = await locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        var proplet = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (proplet.TaskCount > 0)
        {
            throw new EntityConflictException($"conflict: proplet {id} has {proplet.TaskCount} active tasks");
        }

        if (!await store.Proplets.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException($"proplet {id} not found");
        }

        Log.PropletDeleted(logger, id);
    }

    /// <summary>Heartbeat times, oldest first (at most <see cref="Proplet.AliveHistoryLimit"/> are kept).</summary>
    public async Task<Page<DateTimeOffset>> AliveHistoryAsync(string id, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        var history = (await GetAsync(id, cancellationToken).ConfigureAwait(false)).AliveHistory;
        var items = history.Skip((int)Math.Min(offset, (ulong)history.Count)).Take((int)Math.Min(limit, int.MaxValue)).ToList();
        return new Page<DateTimeOffset>(items, (ulong)history.Count);
    }

    /// <summary>Stored metrics samples; an unknown proplet simply has none.</summary>
    public Task<Page<PropletMetricsMessage>> ListMetricsAsync(string id, ulong offset, ulong limit, CancellationToken cancellationToken) =>
        store.Metrics.ListPropletMetricsAsync(id, offset, limit, cancellationToken);

    public async Task<JsonObject> DescribeAsync(string id, CancellationToken cancellationToken) =>
        PropletSdf.Describe(await GetAsync(id, cancellationToken).ConfigureAwait(false), topics);
}
