namespace Propeller.Contracts.Messages;

/// <summary>
/// <c>control/proplet/alive</c>: a heartbeat (<c>status:"alive"</c>) or a Last Will (<c>status:"offline"</c>).
/// </summary>
public sealed record HeartbeatMessage
{
    public const string AliveStatus = "alive";
    public const string OfflineStatus = "offline";

    public string PropletId { get; set; } = "";

    public string? Status { get; set; }

    public string? Namespace { get; set; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOffline => string.Equals(Status, OfflineStatus, StringComparison.OrdinalIgnoreCase);
}
