using System.Collections.Concurrent;
using Propeller.Contracts.Topics;

namespace Propeller.Manager.Proplets;

/// <summary>
/// The proplets whose last discovery announced <c>direct_control</c>: a start or stop meant for one of them goes to
/// its own topic instead of the channel-wide one, which every proplet of the channel receives and parses. Kept in
/// memory only: after a restart the manager's discover request makes proplets announce again, and until then the
/// channel-wide topic, which they also listen on, still reaches them.
/// </summary>
internal sealed class DirectControlProplets
{
    private readonly ConcurrentDictionary<string, byte> _direct = new(StringComparer.Ordinal);

    public void Record(string propletId, bool directControl)
    {
        if (directControl && TopicBuilder.IsTopicSafe(propletId))
        {
            _direct[propletId] = 0;
        }
        else
        {
            _direct.TryRemove(propletId, out _);
        }
    }

    public bool Accepts(string? propletId) => propletId is not null && _direct.ContainsKey(propletId);
}
