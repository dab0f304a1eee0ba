namespace Propeller.Contracts.Messages;

/// <summary>
/// <c>control/manager/discover</c> (ours, additive): a manager that has just started asks every proplet to send its
/// discovery and a heartbeat now, so it learns their metadata and liveness without waiting for the next beat.
/// </summary>
public sealed record DiscoverRequestMessage
{
    public string ManagerId { get; set; } = "";
}
