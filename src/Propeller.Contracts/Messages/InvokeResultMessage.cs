namespace Propeller.Contracts.Messages;

/// <summary><c>control/proplet/invoke_results</c>: the answer to one invocation of a latent task.</summary>
public sealed record InvokeResultMessage
{
    public string TaskId { get; set; } = "";

    public string InvocationId { get; set; } = "";

    public string PropletId { get; set; } = "";

    public string? Results { get; set; }

    public string? Error { get; set; }
}
