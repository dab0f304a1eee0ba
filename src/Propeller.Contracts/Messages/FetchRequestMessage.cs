namespace Propeller.Contracts.Messages;

/// <summary><c>registry/proplet</c>: a proplet asks the proxy for an artifact.</summary>
public sealed record FetchRequestMessage
{
    public string AppName { get; set; } = "";
}
