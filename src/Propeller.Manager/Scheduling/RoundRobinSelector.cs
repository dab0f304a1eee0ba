using Propeller.Manager.Proplets;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// The original's round robin (manager-reference §4.1): one index shared by every call, advanced before each
/// look, so the first pick from two or more proplets is index 1. Skips proplets that are not alive.
/// </summary>
internal sealed class RoundRobinSelector(TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private int _last;

    public Proplet Select(IReadOnlyList<Proplet> proplets)
    {
        ArgumentNullException.ThrowIfNull(proplets);
        if (proplets.Count == 0)
        {
            throw new PropletSelectionException("no proplet was provided");
        }

        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            for (var i = 0; i < proplets.Count; i++)
            {
                _last = (_last + 1) % proplets.Count;
                if (proplets[_last].IsAlive(now))
                {
                    return proplets[_last];
                }
            }
        }

        throw new PropletSelectionException("all proplets are dead");
    }
}
