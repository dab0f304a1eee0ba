using System.Text.Json.Serialization;

namespace Propeller.Contracts.Messages;

public sealed record MemoryMetrics
{
    public ulong RssBytes { get; init; }

    public ulong HeapAllocBytes { get; init; }

    public ulong HeapSysBytes { get; init; }

    public ulong HeapInuseBytes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? ContainerUsageBytes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? ContainerLimitBytes { get; init; }
}
