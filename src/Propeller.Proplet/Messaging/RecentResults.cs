using Propeller.Contracts.Messages;

namespace Propeller.Proplet.Messaging;

/// <summary>
/// The task results of the last <see cref="Window"/> (at most <see cref="Capacity"/>), kept so they can be sent again
/// when a manager that (re)started asks its proplets to announce themselves: a manager that crashed misses every
/// result published while it was gone, since nobody holds them for it (clean sessions, nothing retained).
/// </summary>
internal sealed class RecentResults(TimeProvider timeProvider)
{
    public const int Capacity = 256;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly Queue<ResultMessage> _results = new();
    private readonly Lock _lock = new();

    public void Add(ResultMessage result)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            _results.Enqueue(result with { FinishedAt = timeProvider.GetUtcNow() });
            while (_results.Count > Capacity)
            {
                _results.Dequeue();
            }
        }
    }

    /// <summary>The results still inside the window, oldest first, marked as replayed.</summary>
    public IReadOnlyList<ResultMessage> Snapshot()
    {
        var oldest = timeProvider.GetUtcNow() - Window;
        lock (_lock)
        {
            while (_results.TryPeek(out var first) && first.FinishedAt < oldest)
            {
                _results.Dequeue();
            }

            return [.. _results.Select(r => r with { Replayed = true })];
        }
    }
}
