using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Propeller.Broker.Authorization;
using Propeller.Broker.Credentials;
using Propeller.Broker.Routing;
using Propeller.Broker.Transport;

namespace Propeller.Broker.Hosting;

/// <summary>
/// The MQTT broker: MQTTnet's server on TCP listeners of our own (plain and/or TLS), with CONNECT authenticated
/// against the credential store, publish and subscribe restricted to granted channels, packet size and
/// connection limits, persistent sessions that expire, and Last Will delivery on abrupt disconnects. Start one
/// with <see cref="StartAsync"/> in a test or any host; <see cref="BrokerHostedService"/> does so for a generic host.
/// </summary>
internal sealed partial class EmbeddedBroker : IAsyncDisposable
{
    private readonly BrokerOptions _options;
    private readonly ICredentialStore _store;
    private readonly ILogger _logger;
    private readonly BrokerTcpAdapter? _plainListener;
    private readonly BrokerTcpAdapter? _tlsListener;
    private readonly TlsServerCertificate? _tlsCertificate;
    private readonly MqttServer _server;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SubscriptionRouter _router = new();

    // Client id -> entity id (empty for anonymous). A client id belongs to the entity that opened its session,
    // so another entity cannot take over its connection or inherit its subscriptions and queued messages.
    private readonly ConcurrentDictionary<string, string> _clientOwners = new(StringComparer.Ordinal);

    private Task _sessionSweeper = Task.CompletedTask;
    private string _listenerNames = string.Empty;
    private int _disposed;

    private EmbeddedBroker(BrokerOptions options, ICredentialStore store, ILoggerFactory loggerFactory, TlsServerCertificate? tlsCertificate)
    {
        _options = options;
        _store = store;
        _logger = loggerFactory.CreateLogger<EmbeddedBroker>();
        _tlsCertificate = tlsCertificate;

        // One limiter for both listeners: the cap is on what the process holds, whichever port it came in on.
        var limits = new PacketSizeLimits(options.MaxPacketSize, options.MaxConnectPacketSize);
        var connections = new ConnectionLimiter(options.MaxConnections);
        var listeners = new List<BrokerTcpAdapter>(2);
        if (options.PlainListener)
        {
            _plainListener = new BrokerTcpAdapter(options.ResolveEndPoint(options.Port), limits, connections, tls: null, _logger);
            listeners.Add(_plainListener);
        }

        if (tlsCertificate is not null)
        {
            var tls = new TlsListenerSettings(tlsCertificate, options.TlsHandshakeTimeout);
            _tlsListener = new BrokerTcpAdapter(options.ResolveEndPoint(options.TlsPort), limits, connections, tls, _logger);
            listeners.Add(_tlsListener);
        }

        var serverOptions = new MqttServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            .WithPersistentSessions(true)
            .Build();
        var mqttLogger = new MqttNetLoggerBridge(loggerFactory.CreateLogger("Propeller.Broker.MQTTnet"));
        _server = new MqttServerFactory().CreateMqttServer(serverOptions, listeners, mqttLogger);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.ClientConnectedAsync += OnClientConnectedAsync;
        _server.ClientDisconnectedAsync += OnClientDisconnectedAsync;
        _server.SessionDeletedAsync += OnSessionDeletedAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.InterceptingUnsubscriptionAsync += OnUnsubscriptionAsync;
    }

    /// <summary>The address and port of the plain MQTT listener.</summary>
    /// <exception cref="InvalidOperationException">Not started, or <see cref="BrokerOptions.PlainListener"/> is false.</exception>
    public IPEndPoint LocalEndPoint => _plainListener is null
        ? throw new InvalidOperationException($"The plain MQTT listener is off ({nameof(BrokerOptions)}.{nameof(BrokerOptions.PlainListener)} = false).")
        : _plainListener.LocalEndPoint ?? throw new InvalidOperationException("The broker has not started.");

    /// <summary>The TCP port actually bound (the chosen one when <see cref="BrokerOptions.Port"/> was 0).</summary>
    public int Port => LocalEndPoint.Port;

    /// <summary>The address and port of the TLS listener.</summary>
    /// <exception cref="InvalidOperationException">Not started, or no TLS certificate is configured.</exception>
    public IPEndPoint TlsEndPoint => _tlsListener is null
        ? throw new InvalidOperationException($"TLS is not configured ({nameof(BrokerOptions)}.{nameof(BrokerOptions.TlsCertificatePath)}).")
        : _tlsListener.LocalEndPoint ?? throw new InvalidOperationException("The broker has not started.");

    /// <summary>The TLS port actually bound (the chosen one when <see cref="BrokerOptions.TlsPort"/> was 0).</summary>
    public int TlsPort => TlsEndPoint.Port;

    /// <summary>Validates <paramref name="options"/>, loads the TLS certificate, binds the listeners and starts accepting clients.</summary>
    /// <exception cref="OptionsValidationException">An option is invalid, or the TLS files hold no usable certificate and key.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The address or port cannot be bound.</exception>
    public static async Task<EmbeddedBroker> StartAsync(
        BrokerOptions options,
        ICredentialStore store,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        BrokerOptionsValidator.ThrowIfInvalid(options);
        cancellationToken.ThrowIfCancellationRequested();

        options = options.Clone();
        var broker = new EmbeddedBroker(options, store, loggerFactory, LoadTlsCertificate(options));
        try
        {
            await broker._server.StartAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        catch
        {
            await broker.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        broker._sessionSweeper = Task.Run(() => broker.ExpireSessionsAsync(broker._stopping.Token), CancellationToken.None);
        broker._listenerNames = broker.DescribeListeners();
        Log.Started(broker._logger, broker._listenerNames, options.MaxPacketSize, options.MaxConnectPacketSize, options.MaxConnections, options.AllowAnonymous);
        if (broker._tlsCertificate?.Certificate is { } certificate)
        {
            var notAfter = certificate.NotAfter.ToUniversalTime();
            Log.TlsCertificateLoaded(broker._logger, certificate.Subject, certificate.Thumbprint, notAfter);
        }

        return broker;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sessionSweeper.ConfigureAwait(false);
        var wasStarted = _server.IsStarted;
        if (wasStarted)
        {
            await _server.StopAsync().ConfigureAwait(false);
        }

        _server.Dispose();
        _stopping.Dispose();
        _tlsCertificate?.Dispose();
        if (wasStarted)
        {
            Log.Stopped(_logger, _listenerNames);
        }
    }

    private static TlsServerCertificate? LoadTlsCertificate(BrokerOptions options)
    {
        if (options is not { TlsCertificatePath: { } certificatePath, TlsKeyPath: { } keyPath })
        {
            return null;
        }

        try
        {
            return TlsServerCertificate.Load(certificatePath, keyPath);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            // Same exception as any other bad option, so hosts report it the same way.
            throw new OptionsValidationException(nameof(BrokerOptions), typeof(BrokerOptions),
            [
                $"{nameof(BrokerOptions)}.{nameof(BrokerOptions.TlsCertificatePath)} '{certificatePath}' and {nameof(BrokerOptions)}.{nameof(BrokerOptions.TlsKeyPath)} '{keyPath}' " +
                $"do not hold a PEM certificate and its private key: {exception.Message}",
            ]);
        }
    }

    // For logs, e.g. "mqtt://0.0.0.0:1883, mqtts://0.0.0.0:8883".
    private string DescribeListeners() => string.Join(
        ", ",
        new[] { _plainListener, _tlsListener }.OfType<BrokerTcpAdapter>().Select(l => $"{l.Scheme}://{l.LocalEndPoint}"));

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs args)
    {
        var connection = (args.ChannelAdapter as BrokerChannelAdapter)?.Connection;
        var remote = args.RemoteEndPoint;
        if (connection?.ConnectPacket is not { } connect)
        {
            // Every connection comes through our listener, which records CONNECT; without it the Will is unknown.
            args.ReasonCode = MqttConnectReasonCode.UnspecifiedError;
            return Task.CompletedTask;
        }

        string owner;
        if (string.IsNullOrEmpty(args.UserName))
        {
            if (!_options.AllowAnonymous)
            {
                Log.AnonymousRejected(_logger, args.ClientId, remote);
                args.ReasonCode = MqttConnectReasonCode.NotAuthorized;
                return Task.CompletedTask;
            }

            owner = string.Empty;
        }
        else
        {
            var entity = args.Password is { Length: > 0 } password ? _store.Authenticate(args.UserName, password) : null;
            if (entity is null)
            {
                Log.AuthenticationFailed(_logger, args.UserName, args.ClientId, remote);
                args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                return Task.CompletedTask;
            }

            if (connect.WillFlag && !TopicAuthorizer.MayPublish(_store.GetGrants(entity.Id), connect.WillTopic))
            {
                Log.WillTopicDenied(_logger, entity.Id, args.ClientId, connect.WillTopic);
                args.ReasonCode = MqttConnectReasonCode.NotAuthorized;
                return Task.CompletedTask;
            }

            owner = entity.Id;
        }

        if (!string.IsNullOrEmpty(args.ClientId))
        {
            // Client id = entity id by convention: nobody else may claim it, or it could lock that entity out.
            if (args.ClientId != owner && _store.FindEntity(args.ClientId) is not null)
            {
                Log.ClientIdOfAnotherEntity(_logger, owner, args.ClientId);
                args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
                return Task.CompletedTask;
            }

            var currentOwner = _clientOwners.GetOrAdd(args.ClientId, owner);
            if (currentOwner != owner)
            {
                Log.ClientIdOwnedByOtherEntity(_logger, owner, args.ClientId, currentOwner);
                args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            }
        }

        return Task.CompletedTask;
    }

    private Task OnClientConnectedAsync(ClientConnectedEventArgs args)
    {
        // Re-assert ownership: a concurrent session deletion of the same id may have removed it.
        _clientOwners[args.ClientId] = args.UserName ?? string.Empty;
        _router.Connected(args.ClientId, args.SessionItems);
        Log.ClientConnected(_logger, args.UserName ?? string.Empty, args.ClientId, args.RemoteEndPoint);
        return Task.CompletedTask;
    }

    private Task OnClientDisconnectedAsync(ClientDisconnectedEventArgs args)
    {
        Log.ClientDisconnected(_logger, args.UserName ?? string.Empty, args.ClientId, args.DisconnectType);
        return Task.CompletedTask;
    }

    private Task OnSessionDeletedAsync(SessionDeletedEventArgs args)
    {
        _clientOwners.TryRemove(args.Id, out _);
        _router.SessionDeleted(args.Id, args.SessionItems);
        return Task.CompletedTask;
    }

    private Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        // Messages injected by the hosting process itself have no client.
        var topic = args.ApplicationMessage?.Topic;
        var authorized = string.IsNullOrEmpty(args.ClientId)
            || IsUnrestrictedAnonymous(args.UserName)
            || (!string.IsNullOrEmpty(args.UserName) && TopicAuthorizer.MayPublish(_store.GetGrants(args.UserName), topic));
        if (!authorized)
        {
            Log.PublishDenied(_logger, args.UserName ?? string.Empty, args.ClientId, topic);
            args.ProcessPublish = false;
            args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            return Task.CompletedTask;
        }

        // Our index delivers it; MQTTnet keeps only retained messages, which it must also store.
        if (args.ApplicationMessage is { Retain: false } message)
        {
            args.ProcessPublish = false;
            if (_router.Route(message) == 0)
            {
                args.Response.ReasonCode = MqttPubAckReasonCode.NoMatchingSubscribers;
            }
        }

        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        if (IsUnrestrictedAnonymous(args.UserName))
        {
            Record(args);
            return Task.CompletedTask;
        }

        var filter = args.TopicFilter?.Topic;
        if (!string.IsNullOrEmpty(args.UserName) && TopicAuthorizer.MaySubscribe(_store.GetGrants(args.UserName), filter))
        {
            Record(args);
            return Task.CompletedTask;
        }

        Log.SubscriptionDenied(_logger, args.UserName ?? string.Empty, args.ClientId, filter);
        args.ProcessSubscription = false;
        args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        return Task.CompletedTask;
    }

    private void Record(InterceptingSubscriptionEventArgs args)
    {
        if (args.TopicFilter is { Topic: { Length: > 0 } filter } topicFilter)
        {
            _router.Subscribed(args.ClientId, args.Session, args.SessionItems, filter, topicFilter.QualityOfServiceLevel);
        }
    }

    private Task OnUnsubscriptionAsync(InterceptingUnsubscriptionEventArgs args)
    {
        _router.Unsubscribed(args.ClientId, args.SessionItems, args.Topic);
        return Task.CompletedTask;
    }

    private bool IsUnrestrictedAnonymous(string? userName) => _options.AllowAnonymous && string.IsNullOrEmpty(userName);

    // MQTTnet keeps a persistent session forever; drop those whose client has been away longer than SessionExpiry.
    private async Task ExpireSessionsAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromTicks(Math.Clamp(_options.SessionExpiry.Ticks / 4, TimeSpan.TicksPerSecond / 4, TimeSpan.TicksPerSecond * 30));
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var session in await _server.GetSessionsAsync().ConfigureAwait(false))
                {
                    if (session.DisconnectedTimestamp is { } since && DateTime.UtcNow - since > _options.SessionExpiry)
                    {
                        await session.DeleteAsync().ConfigureAwait(false);
                        Log.SessionExpired(_logger, session.Id, _options.SessionExpiry);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
