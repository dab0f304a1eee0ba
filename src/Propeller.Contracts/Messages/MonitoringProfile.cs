namespace Propeller.Contracts.Messages;

/// <summary>
/// How a proplet samples a running task (proplet-reference §6.3). Missing fields take the "standard" profile's values.
/// <c>interval</c> is seconds; a value of at least 1,000,000 is read as nanoseconds (the Go manager's Duration).
/// </summary>
public sealed record MonitoringProfile
{
    public const ulong NanosecondThreshold = 1_000_000;

    public bool Enabled { get; set; } = true;

    public ulong Interval { get; set; } = 10;

    public bool CollectCpu { get; set; } = true;

    public bool CollectMemory { get; set; } = true;

    public bool CollectDiskIo { get; set; } = true;

    public bool CollectThreads { get; set; } = true;

    public bool CollectFileDescriptors { get; set; } = true;

    public bool ExportToMqtt { get; set; } = true;

    public bool RetainHistory { get; set; } = true;

    public int HistorySize { get; set; } = 100;

    public static MonitoringProfile Standard { get; } = new();

    public static MonitoringProfile LongRunning { get; } = new() { Interval = 120, HistorySize = 500 };

    /// <summary>The sampling period, reading large values as nanoseconds.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan IntervalTimeSpan => Interval >= NanosecondThreshold
        ? TimeSpan.FromTicks((long)Math.Min(Interval / 100, (ulong)TimeSpan.MaxValue.Ticks))
        : TimeSpan.FromSeconds(Interval);
}
