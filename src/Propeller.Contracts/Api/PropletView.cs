using System.Text.Json.Serialization;
using Propeller.Contracts.Messages;

namespace Propeller.Contracts.Api;

/// <summary>A proplet as the API shows it (manager-reference §3.1); <c>alive</c> is computed on read.</summary>
public sealed record PropletView
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public ulong TaskCount { get; set; }

    public bool Alive { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? LastAliveAt { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PropletMetadata? Metadata { get; set; }
}
