using Propeller.Contracts.Messages;

namespace Propeller.Manager.Proplets;

/// <summary>
/// A worker known to the manager (manager-reference §3.1). Liveness is computed from the heartbeat history,
/// never stored as a trusted flag.
/// </summary>
internal sealed record Proplet
{
    /// <summary>A proplet is alive when its last heartbeat is at most this old.</summary>
    public static readonly TimeSpan LivenessWindow = TimeSpan.FromSeconds(10);

    /// <summary>How many heartbeat times are kept.</summary>
    public const int AliveHistoryLimit = 10;

    public required string Id { get; init; }

    public required string Name { get; init; }

    public ulong TaskCount { get; init; }

    /// <summary>Heartbeat times, oldest first, at most <see cref="AliveHistoryLimit"/>.</summary>
    public IReadOnlyList<DateTimeOffset> AliveHistory { get; init; } = [];

    /// <summary>Set when a Last Will (<c>status:"offline"</c>) arrives; cleared by the next heartbeat.</summary>
    public bool Offline { get; init; }

    public PropletMetadata? Metadata { get; init; }

    public DateTimeOffset? LastAliveAt => AliveHistory.Count == 0 ? null : AliveHistory[^1];

    public bool IsAlive(DateTimeOffset now) =>
        !Offline && LastAliveAt is { } last && now - last <= LivenessWindow;
}
