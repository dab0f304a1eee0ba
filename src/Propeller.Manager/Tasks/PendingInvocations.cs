using System.Collections.Concurrent;
using Propeller.Contracts.Messages;

namespace Propeller.Manager.Tasks;

/// <summary>
/// The invocations waiting for their <c>invoke_results</c>, keyed by invocation id. Each invoke registers its own
/// slot before it publishes, so an answer that comes back at once is never missed; a slot is removed when its
/// waiter gives up, so a late answer finds nobody and is dropped.
/// </summary>
internal sealed class PendingInvocations
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvokeResultMessage>> _waiting = new(StringComparer.Ordinal);

    public int Count => _waiting.Count;

    public Slot Register(string invocationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(invocationId);
        var completion = new TaskCompletionSource<InvokeResultMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiting.TryAdd(invocationId, completion))
        {
            throw new InvalidOperationException($"invocation {invocationId} is already waiting");
        }

        return new Slot(this, invocationId, completion);
    }

    /// <summary>Hands the answer to its waiter; false when no invocation with that id is waiting.</summary>
    public bool TryComplete(InvokeResultMessage result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return _waiting.TryRemove(result.InvocationId, out var completion) && completion.TrySetResult(result);
    }

    /// <summary>One waiting invocation; dispose it when done waiting.</summary>
    internal sealed class Slot(PendingInvocations owner, string invocationId, TaskCompletionSource<InvokeResultMessage> completion) : IDisposable
    {
        public string InvocationId { get; } = invocationId;

        public Task<InvokeResultMessage> Result => completion.Task;

        public void Dispose() => owner._waiting.TryRemove(new KeyValuePair<string, TaskCompletionSource<InvokeResultMessage>>(InvocationId, completion));
    }
}
