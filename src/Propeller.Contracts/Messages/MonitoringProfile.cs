namespace Propeller.Contracts.Messages;

/// <summary>
/// How a proplet samples a running task (proplet-reference §6.3). Missing fields take the "standard" profile's values.
/// <c>interval</c> is seconds; a value of at least 1,000,000 is read as nanoseconds (the Go manager's Duration).
/// </summary>
public sealed record MonitoringProfile
{
    public const ulong NanosecondThreshold = 1_000_000;

    public bool Enabled { get; init; } = true;

    public ulong Interval { get; init; } = 10;

    public bool CollectCpu { get; init; } = true;

    public bool CollectMemory { get; init; } = true;

    public bool CollectDiskIo { get; init; } = true;

    public bool CollectThreads { get; init; } = true;

    public bool CollectFileDescriptors { get; init; } = true;

    public bool ExportToMqtt { get; init; } = true;

    public bool RetainHistory { get; init; } = true;

    public int HistorySize { get; init; } = 100;

    public static MonitoringProfile Standard { get; } = new();

    public static MonitoringProfile LongRunning { get; } = new() { Interval = 120, HistorySize = 500 };

    /// <summary>The sampling period, reading large values as nanoseconds.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan IntervalTimeSpan => Interval >= NanosecondThreshold
        ? TimeSpan.FromTicks((long)Math.Min(Interval / 100, (ulong)TimeSpan.MaxValue.Ticks))
        : TimeSpan.FromSeconds(Interval);
}
