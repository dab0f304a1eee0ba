using System.Diagnostics;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Messaging;
using Propeller.Proplet.Monitoring;
using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Hosting;

/// <summary>
/// The proplet's lifetime: connects in the background (it starts even while the broker is down), announces itself
/// on every connect, sends heartbeats and system metrics, and on shutdown stops its tasks, says it is offline and
/// disconnects cleanly so the broker does not fire the Last Will.
/// </summary>
internal sealed partial class PropletHostedService : BackgroundService
{
    private static readonly TimeSpan OfflineNoticeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AnnounceSpacing = TimeSpan.FromSeconds(2);
    private long _lastAnnounce;

    private readonly PropletOptions _options;
    private readonly PropellerMqttClient _client;
    private readonly TopicBuilder _topics;
    private readonly ManagerCommandListener _commands;
    private readonly TaskSupervisor _tasks;
    private readonly SystemMetricsSampler _sampler;
    private readonly PropletMetrics _metrics;
    private readonly ResultPublisher _results;
    private readonly ILogger _logger;

    public PropletHostedService(
        PropletOptions options,
        PropellerMqttClient client,
        TopicBuilder topics,
        ManagerCommandListener commands,
        TaskSupervisor tasks,
        SystemMetricsSampler sampler,
        PropletMetrics metrics,
        ResultPublisher results,
        ILogger<PropletHostedService> logger)
    {
        _results = results;
        _options = options;
        _client = client;
        _topics = topics;
        _commands = commands;
        _tasks = tasks;
        _sampler = sampler;
        _metrics = metrics;
        _logger = logger;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _tasks.StopAllAsync(cancellationToken).ConfigureAwait(false);
        await PublishOfflineAsync(cancellationToken).ConfigureAwait(false);
        await _client.DisconnectAsync(cancellationToken).ConfigureAwait(false);
        Log.Stopped(_logger, _options.PropletId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.Starting(_logger, _options.PropletId, _options.MqttAddress, _topics.BaseTopic);
        if (_options.MqttTlsInsecureSkipVerify)
        {
            Log.CertificateCheckDisabled(_logger);
        }

        _client.Connected += OnConnectedAsync;
        await _commands.SubscribeAsync(stoppingToken).ConfigureAwait(false);
        await _client.SubscribeAsync(_topics.ManagerDiscover, OnDiscoverRequestAsync, stoppingToken).ConfigureAwait(false);
        await _client.StartAsync(waitForConnection: false, stoppingToken).ConfigureAwait(false);

        var loops = new List<Task>();
        if (_options.LivelinessInterval > TimeSpan.Zero)
        {
            loops.Add(RepeatAsync(
                _options.LivelinessInterval, _topics.PropletAlive, () => Heartbeats.Alive(_options),
                PropellerJson.Context.HeartbeatMessage, Log.HeartbeatFailed, stoppingToken));
        }

        if (_options.EnableMonitoring && _options.MetricsInterval > TimeSpan.Zero)
        {
            loops.Add(RepeatAsync(
                _options.MetricsInterval, _topics.PropletMetrics, _sampler.Sample,
                PropellerJson.Context.PropletMetricsMessage, Log.SystemMetricsFailed, stoppingToken));
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    // Publishes at once and then every period while connected; a lost connection pauses the loop, not piles up.
    private async Task RepeatAsync<T>(
        TimeSpan period, string topic, Func<T> create, JsonTypeInfo<T> typeInfo, Action<ILogger, string, string> logFailure, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            do
            {
                await _client.WaitForConnectionAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    await _client.PublishAsync(topic, create(), typeInfo, stoppingToken).ConfigureAwait(false);
                }
                catch (MqttPublishException e)
                {
                    logFailure(_logger, topic, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task OnConnectedAsync()
    {
        _metrics.MqttConnected();
        await PublishDiscoveryAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A (re)started manager asks every proplet to announce itself: discovery and a heartbeat at once. Requests
    /// closer together than <see cref="AnnounceSpacing"/> are answered once, so a flood costs one reply.
    /// </summary>
    private async Task OnDiscoverRequestAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.Length > _options.MqttMaxPacketSize)
        {
            Log.MalformedDiscoverRequest(_logger, topic, "larger than PROPLET_MQTT_MAX_PACKET_SIZE");
            return;
        }

        if (!PropellerJson.TryParse(payload.Span, PropellerJson.Context.DiscoverRequestMessage, out var request, out var error))
        {
            Log.MalformedDiscoverRequest(_logger, topic, error);
            return;
        }

        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastAnnounce);
        if ((last != 0 && Stopwatch.GetElapsedTime(last, now) < AnnounceSpacing) || Interlocked.CompareExchange(ref _lastAnnounce, now, last) != last)
        {
            return;
        }

        Log.DiscoverRequested(_logger, request!.ManagerId);
        await PublishDiscoveryAsync().ConfigureAwait(false);
        if (_options.LivelinessInterval > TimeSpan.Zero)
        {
            try
            {
                await _client.PublishAsync(_topics.PropletAlive, Heartbeats.Alive(_options), PropellerJson.Context.HeartbeatMessage, cancellationToken).ConfigureAwait(false);
            }
            catch (MqttPublishException e)
            {
                Log.HeartbeatFailed(_logger, _topics.PropletAlive, e.Message);
            }
        }

        // Results published while that manager was gone reached nobody; it keeps those of tasks it still sees running.
        await _results.ReplayRecentAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishDiscoveryAsync()
    {
        var discovery = new DiscoveryMessage
        {
            PropletId = _options.PropletId,
            Namespace = _options.Namespace,
            Metadata = HostInfo.Describe(_options),
            DirectControl = ManagerCommandListener.ListensDirectly(_options),
        };
        try
        {
            await _client.PublishAsync(_topics.PropletCreate, discovery, PropellerJson.Context.DiscoveryMessage, CancellationToken.None)
                .ConfigureAwait(false);
            Log.DiscoveryPublished(_logger, _options.PropletId);
        }
        catch (MqttPublishException e)
        {
            Log.DiscoveryFailed(_logger, e.Message);
        }
    }

    private async Task PublishOfflineAsync(CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(OfflineNoticeTimeout);
        try
        {
            await _client.PublishAsync(_topics.PropletAlive, Heartbeats.Offline(_options), PropellerJson.Context.HeartbeatMessage, timeout.Token)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is MqttPublishException or OperationCanceledException)
        {
            Log.OfflineNoticeFailed(_logger, e.Message);
        }
    }
}
