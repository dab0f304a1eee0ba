namespace Propeller.FleetSim.Fleet;

/// <summary>Options of the <c>fleet</c> command.</summary>
/// <param name="StartTopic">
/// <c>direct</c>: the simulated proplets announce <c>direct_control</c> as ours do, so each start goes to one proplet;
/// <c>channel</c>: they announce as original proplets, so every start reaches the whole fleet.
/// </param>
internal sealed record FleetSettings(IReadOnlyList<int> Proplets, int HeartbeatSeconds, int Seconds, int Tasks, string Storage, string StartTopic)
{
    /// <summary>The manager keeps the last 10 heartbeats per proplet; the counted window must fit in them.</summary>
    private const int HistoryLimit = 10;

    public static FleetSettings From(Arguments args)
    {
        var settings = new FleetSettings(
            args.IntList("proplets", [1000, 5000], 1, 20_000),
            args.Int("heartbeat-seconds", 5, 1, 60),
            args.Int("seconds", 30, 5, 600),
            args.Int("tasks", 200, 0, 10_000),
            args.Text("storage", "sqlite", "sqlite", "memory"),
            args.Text("start-topic", "direct", "direct", "channel"));
        args.ThrowIfUnused();
        if (settings.Seconds / settings.HeartbeatSeconds >= HistoryLimit - 1)
        {
            throw new ArgumentException(
                $"--seconds / --heartbeat-seconds must stay below {HistoryLimit - 1}: the manager keeps {HistoryLimit} heartbeats per proplet, and they are what is counted");
        }

        return settings;
    }
}
