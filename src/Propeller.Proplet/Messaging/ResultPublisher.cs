using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;

namespace Propeller.Proplet.Messaging;

/// <summary>
/// Publishes task results (proplet-reference §1.3.6, normal form) and invoke results (§1.3.7). A result is never lost silently: a failed
/// publish is logged and retried with back-off until it goes out, the attempts run out, or the proplet shuts down.
/// </summary>
internal sealed partial class ResultPublisher(
    PropellerMqttClient client, TopicBuilder topics, PropletOptions options, RecentResults recent, ILogger<ResultPublisher> logger)
{
    public const int MaxAttempts = 10;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Publishes <c>{task_id, proplet_id, results, error}</c>; true once the broker accepted it, false when it was
    /// dropped (logged as an error).
    /// </summary>
    public Task<bool> PublishAsync(string taskId, string results, string? error, CancellationToken cancellationToken)
    {
        var message = new ResultMessage
        {
            TaskId = taskId,
            PropletId = options.PropletId,
            Results = JsonSerializer.SerializeToElement(results, PropellerJson.Context.String),
            Error = error,
        };
        recent.Add(message);
        return PublishWithRetriesAsync(
            topics.PropletResults, message, PropellerJson.Context.ResultMessage, taskId, error is null, cancellationToken);
    }

    /// <summary>
    /// Sends the recent results again, marked <c>replayed</c> with their finish time, once each; a (re)started
    /// manager applies only those of tasks it still sees running (docs/protocol.md).
    /// </summary>
    public async Task ReplayRecentAsync(CancellationToken cancellationToken)
    {
        foreach (var result in recent.Snapshot())
        {
            try
            {
                await client.PublishAsync(topics.PropletResults, result, PropellerJson.Context.ResultMessage, cancellationToken).ConfigureAwait(false);
            }
            catch (MqttPublishException e)
            {
                Log.PublishFailed(logger, result.TaskId, 1, e.Message, 0);
                return;
            }
        }
    }

    /// <summary>
    /// Publishes the answer to one invocation of a latent task on <c>control/proplet/invoke_results</c>
    /// (proplet-reference §1.3.7), with the same retries as a task result.
    /// </summary>
    public Task<bool> PublishInvokeResultAsync(
        string taskId, string invocationId, string results, string? error, CancellationToken cancellationToken)
    {
        var message = new InvokeResultMessage
        {
            TaskId = taskId,
            InvocationId = invocationId,
            PropletId = options.PropletId,
            Results = results,
            Error = error,
        };
        return PublishWithRetriesAsync(
            topics.PropletInvokeResults, message, PropellerJson.Context.InvokeResultMessage, taskId, error is null, cancellationToken);
    }

    private async Task<bool> PublishWithRetriesAsync<T>(
        string topic, T message, JsonTypeInfo<T> typeInfo, string taskId, bool success, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.PublishAsync(topic, message, typeInfo, cancellationToken).ConfigureAwait(false);
                Log.Published(logger, taskId, success);
                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Log.Dropped(logger, taskId, attempt, "the proplet is shutting down");
                return false;
            }
            catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException) && attempt < MaxAttempts)
            {
                Log.PublishFailed(logger, taskId, attempt, e.Message, delay.TotalSeconds);
            }
            catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
            {
                Log.Dropped(logger, taskId, attempt, e.Message);
                return false;
            }

            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log.Dropped(logger, taskId, attempt, "the proplet is shutting down");
                return false;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }
}
