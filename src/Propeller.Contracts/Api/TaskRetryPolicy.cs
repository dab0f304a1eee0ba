namespace Propeller.Contracts.Api;

/// <summary>
/// What happens when a task's proplet goes offline while it runs (ours, additive): up to <see cref="MaxAttempts"/>
/// runs in all, the n-th re-placement after <c>backoff_ms × 2^(n-1)</c> milliseconds (at most five minutes).
/// </summary>
public sealed record TaskRetryPolicy
{
    public int MaxAttempts { get; set; }

    public long BackoffMs { get; set; }
}
