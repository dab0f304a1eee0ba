using System.Text.Json.Serialization;
using Propeller.Contracts.Messages;

namespace Propeller.Contracts.Api;

/// <summary>A proplet as the API shows it (manager-reference §3.1); <c>alive</c> is computed on read.</summary>
public sealed record PropletView
{
    public string Id { get; init; } = "";

    public string Name { get; init; } = "";

    public ulong TaskCount { get; init; }

    public bool Alive { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? LastAliveAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PropletMetadata? Metadata { get; init; }
}
