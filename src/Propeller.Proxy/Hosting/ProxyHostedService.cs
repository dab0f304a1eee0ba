using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Diagnostics;
using Propeller.Proxy.Fetching;
using Propeller.Proxy.Publishing;

namespace Propeller.Proxy.Hosting;

/// <summary>
/// The proxy's lifetime: subscribes to <c>registry/proplet</c> (again after every reconnect), connects in the
/// background so it starts while the broker is down, hands well-formed requests to the <see cref="FetchCoordinator"/>,
/// and on shutdown finishes the jobs it holds before it disconnects cleanly.
/// </summary>
internal sealed partial class ProxyHostedService : IHostedService
{
    /// <summary>A fetch request is an <c>app_name</c> and a digest; anything this large is not one.</summary>
    public const int MaxRequestBytes = 64 * 1024;

    private readonly ProxyOptions _options;
    private readonly PropellerMqttClient _client;
    private readonly TopicBuilder _topics;
    private readonly FetchCoordinator _coordinator;
    private readonly ChunkPublisher _publisher;
    private readonly ProxyMetrics _metrics;
    private readonly ILogger _logger;

    public ProxyHostedService(
        ProxyOptions options,
        PropellerMqttClient client,
        TopicBuilder topics,
        FetchCoordinator coordinator,
        ChunkPublisher publisher,
        ProxyMetrics metrics,
        ILogger<ProxyHostedService> logger)
    {
        _options = options;
        _client = client;
        _topics = topics;
        _coordinator = coordinator;
        _publisher = publisher;
        _metrics = metrics;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Starting(_logger, _options.EntityId, _options.MqttAddress, _topics.BaseTopic, _options.ChunkSize);
        if (_options.MqttTlsInsecureSkipVerify)
        {
            Log.CertificateCheckDisabled(_logger);
        }

        _client.Connected += OnConnectedAsync;
        _coordinator.Start();
        await _client.SubscribeAsync(_topics.RegistryProplet, OnRequestAsync, cancellationToken).ConfigureAwait(false);
        await _client.StartAsync(waitForConnection: false, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _coordinator.StopAsync(cancellationToken).ConfigureAwait(false);
        await _client.DisconnectAsync(cancellationToken).ConfigureAwait(false);
        Log.Stopped(_logger, _options.EntityId);
    }

    private Task OnConnectedAsync()
    {
        _metrics.MqttConnected();
        return Task.CompletedTask;
    }

    private async Task OnRequestAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.Length > MaxRequestBytes)
        {
            Log.MalformedRequest(_logger, topic, $"{payload.Length} bytes, more than a fetch request's {MaxRequestBytes}");
            return;
        }

        if (!PropellerJson.TryParse(payload.Span, PropellerJson.Context.FetchRequestMessage, out var request, out var error))
        {
            Log.MalformedRequest(_logger, topic, error ?? "not a fetch request");
            return;
        }

        var appName = request!.AppName;
        if (string.IsNullOrWhiteSpace(appName))
        {
            Log.MalformedRequest(_logger, topic, "app_name is missing or empty");
            return;
        }

        _metrics.RequestReceived();
        var digest = string.IsNullOrWhiteSpace(request.Digest) ? null : request.Digest.Trim();
        var admission = _coordinator.Submit(appName, digest);
        switch (admission)
        {
            case FetchAdmission.Queued:
                Log.RequestQueued(_logger, appName, digest);
                break;
            case FetchAdmission.Joined or FetchAdmission.RepublishScheduled:
                _metrics.RequestDeduplicated();
                Log.RequestJoined(_logger, appName, admission);
                break;
            case FetchAdmission.QueueFull:
                _metrics.FetchFailed();
                Log.QueueFull(_logger, appName, FetchCoordinator.QueueCapacity);
                await _publisher.PublishStatusAsync(
                    new RegistryStatusMessage
                    {
                        AppName = appName,
                        Error = $"proxy is busy: {FetchCoordinator.QueueCapacity} fetches are already waiting; try again later",
                    },
                    cancellationToken).ConfigureAwait(false);
                break;
            default:
                Log.RequestWhileStopping(_logger, appName);
                break;
        }
    }
}
