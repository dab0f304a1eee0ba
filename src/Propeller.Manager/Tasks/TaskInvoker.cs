using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Manager.Errors;
using Propeller.Manager.Hosting;
using Propeller.Manager.Messaging;
using Propeller.Manager.Plugins;
using Propeller.Manager.Proplets;
using Propeller.Manager.Scheduling;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tasks;

/// <summary>
/// Runs a latent task once on a proplet that has precompiled it and waits for the answer (manager-reference §3.5).
/// A non-broadcast task goes to the proplet it was started on; a broadcast task is tried on the active proplets,
/// starting with the round-robin pick, and is re-deployed to all of them when none has it precompiled.
/// </summary>
internal sealed partial class TaskInvoker(
    IPropellerStore store,
    TaskMessagePublisher publisher,
    PendingInvocations pending,
    RoundRobinSelector selector,
    ShutdownGate shutdownGate,
    ManagerOptions options,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    PluginHost plugins,
    ILogger<TaskInvoker> logger)
{
    /// <summary>The proplet's wording (DECISIONS §4 Proplet 10) for a latent task it does not hold.</summary>
    public const string NotPrecompiled = "has not been precompiled";

    private const ulong PropletPageSize = 100;

    /// <summary>Returns the proplet's <c>results</c> string.</summary>
    public async Task<string> InvokeAsync(string id, IReadOnlyList<string>? inputs, IReadOnlyDictionary<string, string>? env, CancellationToken cancellationToken)
    {
        shutdownGate.ThrowIfClosed();
        var task = await store.Tasks.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException($"task {id} not found");
        await plugins.AuthorizeAsync(PluginActions.Invoke, task, cancellationToken).ConfigureAwait(false);
        if (!task.Latent)
        {
            throw new InvalidRequestException($"task {id} is not latent");
        }

        if (!task.Broadcast)
        {
            var propletId = await store.TaskProplets.GetAsync(id, cancellationToken).ConfigureAwait(false)
                ?? throw new EntityConflictException($"task {id} has not been deployed; start it first");
            return await InvokeOnAsync(task, propletId, inputs, env, cancellationToken).ConfigureAwait(false);
        }

        return await InvokeBroadcastAsync(task, inputs, env, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> InvokeBroadcastAsync(PropellerTask task, IReadOnlyList<string>? inputs, IReadOnlyDictionary<string, string>? env, CancellationToken cancellationToken)
    {
        var candidates = await ActivePropletsAsync(cancellationToken).ConfigureAwait(false);
        var first = selector.Select(candidates);
        var start = candidates.IndexOf(first);
        var order = candidates.Skip(start).Concat(candidates.Take(start)).ToList();

        InvocationFailedException? last = null;
        foreach (var proplet in order)
        {
            try
            {
                return await InvokeOnAsync(task, proplet.Id, inputs, env, cancellationToken).ConfigureAwait(false);
            }
            catch (InvocationFailedException ex) when (ex.Message.Contains(NotPrecompiled, StringComparison.Ordinal))
            {
                Log.NotPrecompiled(logger, task.Id, proplet.Id);
                last = ex;
            }
        }

        // Nobody holds it (proplets restarted, or joined after the start): deploy it again to each of them, so
        // the next invoke finds it, and report why this one failed.
        foreach (var proplet in order)
        {
            await RedeployAsync(task, proplet.Id).ConfigureAwait(false);
        }

        Log.RedeploySent(logger, task.Id, order.Count);
        throw last!;
    }

    private async Task<List<Proplet>> ActivePropletsAsync(CancellationToken cancellationToken)
    {
        var candidates = new List<Proplet>();
        var since = timeProvider.GetUtcNow() - Proplet.LivenessWindow;
        for (ulong offset = 0; ; offset += PropletPageSize)
        {
            var page = await store.Proplets.ListAsync(true, since, offset, PropletPageSize, cancellationToken).ConfigureAwait(false);
            candidates.AddRange(page.Items);
            if (page.Items.Count == 0 || (ulong)candidates.Count >= page.Total)
            {
                break;
            }
        }

        return candidates.Count == 0 ? throw new PropletSelectionException("no proplet was provided") : candidates;
    }

    private async Task RedeployAsync(PropellerTask task, string propletId)
    {
        var message = StartMessageFactory.Create(task with { Broadcast = false, Daemon = false, Latent = true }, propletId, null);
        try
        {
            await publisher.PublishStartAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (MqttPublishException ex)
        {
            Log.RedeployFailed(logger, task.Id, propletId, ex.Message);
        }
    }

    private async Task<string> InvokeOnAsync(
        PropellerTask task, string propletId, IReadOnlyList<string>? inputs, IReadOnlyDictionary<string, string>? env, CancellationToken cancellationToken)
    {
        using var slot = pending.Register(Guid.NewGuid().ToString());
        var message = new InvokeMessage
        {
            Id = task.Id,
            Broadcast = false,
            PropletId = propletId,
            InvocationId = slot.InvocationId,
            Inputs = inputs is { Count: > 0 } ? [.. inputs] : null,
            Env = env is { Count: > 0 } ? env.ToDictionary(StringComparer.Ordinal) : null,
        };
        await publisher.PublishInvokeAsync(message, cancellationToken).ConfigureAwait(false);
        Log.InvokeSent(logger, slot.InvocationId, task.Id, propletId);

        // Only this timeout, the caller leaving and shutdown end the wait: the HTTP server sets no request deadline.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        wait.CancelAfter(options.InvokeTimeout);
        InvokeResultMessage answer;
        try
        {
            answer = await slot.Result.WaitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                throw new ServiceShuttingDownException("service is shutting down");
            }

            var timeout = FormatDuration(options.InvokeTimeout);
            Log.InvokeTimedOut(logger, slot.InvocationId, task.Id, propletId, timeout);
            throw new InvocationTimeoutException($"invocation of task {task.Id} timed out after {timeout}");
        }

        if (!string.IsNullOrEmpty(answer.Error))
        {
            Log.InvokeFailed(logger, slot.InvocationId, task.Id, propletId, answer.Error);
            throw new InvocationFailedException(answer.Error);
        }

        Log.InvokeAnswered(logger, slot.InvocationId, task.Id, propletId);
        return answer.Results ?? "";
    }

    /// <summary>As Go prints a duration: <c>30s</c>, <c>1m30s</c>, <c>1.5s</c>, <c>200ms</c>.</summary>
    internal static string FormatDuration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.###}ms");
        }

        var hours = (long)duration.TotalHours;
        var seconds = string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds - (hours * 3600) - (duration.Minutes * 60):0.###}s");
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}h{duration.Minutes}m{seconds}")
            : duration.Minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes}m{seconds}") : seconds;
    }
}
