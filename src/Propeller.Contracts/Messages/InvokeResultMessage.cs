namespace Propeller.Contracts.Messages;

/// <summary><c>control/proplet/invoke_results</c>: the answer to one invocation of a latent task.</summary>
public sealed record InvokeResultMessage
{
    public string TaskId { get; init; } = "";

    public string InvocationId { get; init; } = "";

    public string PropletId { get; init; } = "";

    public string? Results { get; init; }

    public string? Error { get; init; }
}
