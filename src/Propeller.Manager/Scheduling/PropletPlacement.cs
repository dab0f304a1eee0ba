using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// Picks the proplet a task starts on (manager-reference §4.3 with our <c>requirements</c>): the pinned
/// <c>proplet_id</c> when it is alive and fits, otherwise round robin over the alive proplets that fit. Every
/// refusal is a <see cref="PropletSelectionException"/> (409) that says what is missing.
/// </summary>
internal sealed class PropletPlacement(IPropellerStore store, RoundRobinSelector selector, TimeProvider timeProvider)
{
    // Large enough that a fleet of thousands is one query: each page re-counts and re-skips (OFFSET), so small pages
    // made every placement quadratic in the fleet (50 pages at 5,000 proplets; see docs/performance.md).
    private const ulong PropletPageSize = 10_000;

    /// <param name="task">The task to place.</param>
    /// <param name="avoidPropletId">
    /// Set when a task is re-placed after its proplet went offline: the pin is ignored and this proplet is not chosen.
    /// </param>
    /// <param name="cancellationToken">Cancels the look-ups.</param>
    public async Task<Proplet> ChooseAsync(PropellerTask task, string? avoidPropletId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var now = timeProvider.GetUtcNow();
        if (!string.IsNullOrEmpty(task.PropletId) && avoidPropletId is null)
        {
            return await ChoosePinnedAsync(task, task.PropletId, now, cancellationToken).ConfigureAwait(false);
        }

        var alive = await ListAliveAsync(now, cancellationToken).ConfigureAwait(false);
        if (avoidPropletId is not null)
        {
            alive.RemoveAll(p => string.Equals(p.Id, avoidPropletId, StringComparison.Ordinal));
        }

        if (PlacementRules.IsEmpty(task.Requirements))
        {
            return alive.Count == 0
                ? throw new PropletSelectionException(avoidPropletId is null ? "no active proplets available" : $"no active proplet other than {avoidPropletId} available")
                : selector.Select(alive);
        }

        var eligible = alive.Where(p => PlacementRules.Unmet(task.Requirements, p).Count == 0).ToList();
        if (eligible.Count > 0)
        {
            return selector.Select(eligible);
        }

        var unmet = alive.Count == 0
            ? PlacementRules.Describe(task.Requirements!)
            : string.Join(", ", alive.SelectMany(p => PlacementRules.Unmet(task.Requirements, p)).Distinct(StringComparer.Ordinal));
        var checkedCount = alive.Count == 1 ? "1 alive proplet checked" : $"{alive.Count} alive proplets checked";
        throw new PropletSelectionException($"no alive proplet meets the task's requirements ({unmet}); {checkedCount}");
    }

    private async Task<Proplet> ChoosePinnedAsync(PropellerTask task, string propletId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pinned = await store.Proplets.GetAsync(propletId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException($"proplet {propletId} not found");
        if (!pinned.IsAlive(now))
        {
            throw new PropletSelectionException($"specified proplet {propletId} is not alive");
        }

        var unmet = PlacementRules.Unmet(task.Requirements, pinned);
        return unmet.Count == 0
            ? pinned
            : throw new PropletSelectionException($"specified proplet {propletId} does not meet the task's requirements ({string.Join(", ", unmet)})");
    }

    private async Task<List<Proplet>> ListAliveAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var candidates = new List<Proplet>();
        var since = now - Proplet.LivenessWindow;
        for (ulong offset = 0; ; offset += PropletPageSize)
        {
            var page = await store.Proplets.ListAsync(true, since, offset, PropletPageSize, cancellationToken).ConfigureAwait(false);
            candidates.AddRange(page.Items);
            if (page.Items.Count == 0 || (ulong)candidates.Count >= page.Total)
            {
                break;
            }
        }

        // The store's "alive" is by heartbeat time only; a Last Will also makes a proplet dead.
        candidates.RemoveAll(p => !p.IsAlive(now));
        return candidates;
    }
}
