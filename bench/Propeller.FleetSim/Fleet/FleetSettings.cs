namespace Propeller.FleetSim.Fleet;

/// <summary>Options of the <c>fleet</c> command.</summary>
/// <param name="StartTopic">
/// <c>direct</c>: the simulated proplets announce <c>direct_control</c> as ours do, so each start goes to one proplet;
/// <c>channel</c>: they announce as original proplets, so every start reaches the whole fleet.
/// </param>
/// <param name="Broker"><c>embedded</c>: MQTTnet's server in this process; <c>mosquitto</c>: a Mosquitto child process.</param>
/// <param name="Tasks">Tasks dispatched per fleet size: one value for every size, or one per <c>--proplets</c> value.</param>
internal sealed record FleetSettings(IReadOnlyList<int> Proplets, int HeartbeatSeconds, int Seconds, IReadOnlyList<int> Tasks, string Storage, string StartTopic, string Broker)
{
    /// <summary>The manager keeps the last 10 heartbeats per proplet; the counted window must fit in them.</summary>
    private const int HistoryLimit = 10;

    public static FleetSettings From(Arguments args)
    {
        var settings = new FleetSettings(
            args.IntList("proplets", [1000, 5000], 1, 20_000),
            args.Int("heartbeat-seconds", 5, 1, 60),
            args.Int("seconds", 30, 5, 600),
            args.IntList("tasks", [200], 0, 10_000),
            args.Text("storage", "sqlite", "sqlite", "memory"),
            args.Text("start-topic", "direct", "direct", "channel"),
            args.Text("broker", FleetStack.Embedded, FleetStack.Embedded, FleetStack.Mosquitto));
        args.ThrowIfUnused();
        if (settings.Tasks.Count != 1 && settings.Tasks.Count != settings.Proplets.Count)
        {
            throw new ArgumentException("--tasks takes one value, or one per --proplets value");
        }

        if (settings.Seconds / settings.HeartbeatSeconds >= HistoryLimit - 1)
        {
            throw new ArgumentException(
                $"--seconds / --heartbeat-seconds must stay below {HistoryLimit - 1}: the manager keeps {HistoryLimit} heartbeats per proplet, and they are what is counted");
        }

        return settings;
    }

    /// <summary>Tasks to dispatch in the run with the <paramref name="index"/>-th fleet size.</summary>
    public int TasksFor(int index) => Tasks.Count == 1 ? Tasks[0] : Tasks[index];
}
