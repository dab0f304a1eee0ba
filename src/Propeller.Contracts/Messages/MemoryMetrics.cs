using System.Text.Json.Serialization;

namespace Propeller.Contracts.Messages;

public sealed record MemoryMetrics
{
    public ulong RssBytes { get; set; }

    public ulong HeapAllocBytes { get; set; }

    public ulong HeapSysBytes { get; set; }

    public ulong HeapInuseBytes { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? ContainerUsageBytes { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? ContainerLimitBytes { get; set; }
}
