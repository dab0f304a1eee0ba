using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Mqtt;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Messaging;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Hosting;

/// <summary>
/// Start-up and shutdown in the original's order (manager-reference §8.4, §3.7): connect to the broker, open
/// storage, subscribe, recover interrupted tasks, then the HTTP server starts serving. On stop the HTTP server
/// has already drained; running tasks are stopped and marked Interrupted, then MQTT disconnects.
/// </summary>
internal sealed partial class ManagerHostedService(
    ManagerOptions options,
    PropellerMqttClient mqtt,
    IPropellerStore store,
    ManagerMessageRouter router,
    TaskMessagePublisher publisher,
    TaskInterruptions interruptions,
    ShutdownGate shutdownGate,
    ManagerMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<ManagerHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Starting(logger, options.Credentials.EntityId, options.MqttAddress, options.StorageType);
        if (options.InsecureNoAuth)
        {
            Log.AuthenticationDisabled(logger, options.HttpHost);
        }

        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectTimeout.CancelAfter(options.MqttTimeout);
            try
            {
                await mqtt.StartAsync(waitForConnection: true, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException(
                    $"could not connect to the MQTT broker at {options.MqttAddress} within {options.MqttTimeout.TotalSeconds:0.#} s ({ManagerEnvironment.MqttAddress}, {ManagerEnvironment.MqttTimeout})");
            }
        }

        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);

        var started = Stopwatch.GetTimestamp();
        await mqtt.SubscribeAsync(router.TopicFilter, router.HandleAsync, cancellationToken).ConfigureAwait(false);
        metrics.Observe("subscribe", Stopwatch.GetElapsedTime(started));
        Log.Subscribed(logger, router.TopicFilter);

        started = Stopwatch.GetTimestamp();
        var recovered = await interruptions.RecoverInterruptedAsync(cancellationToken).ConfigureAwait(false);
        metrics.Observe("recover-interrupted-tasks", Stopwatch.GetElapsedTime(started));
        if (recovered > 0)
        {
            Log.InterruptedTasksRecovered(logger, recovered);
        }

        // Proplets that announced themselves before this manager listened (or to a manager that forgot them)
        // announce again now, so the registry is complete at once instead of after the next heartbeat.
        try
        {
            await publisher.PublishDiscoverRequestAsync(options.Credentials.EntityId, cancellationToken).ConfigureAwait(false);
        }
        catch (MqttPublishException ex)
        {
            Log.DiscoverRequestFailed(logger, ex.Message);
        }

        // Requests still in flight while the server drains are refused new starts.
        lifetime.ApplicationStopping.Register(shutdownGate.Close);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await interruptions.ShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ShutdownFailed(logger, ex);
        }

        metrics.Observe("shutdown", Stopwatch.GetElapsedTime(started));
        await mqtt.DisconnectAsync(cancellationToken).ConfigureAwait(false);
        Log.Stopped(logger);
    }
}
