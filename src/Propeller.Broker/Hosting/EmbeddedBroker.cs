using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Propeller.Broker.Authorization;
using Propeller.Broker.Credentials;
using Propeller.Broker.Transport;

namespace Propeller.Broker.Hosting;

/// <summary>
/// The MQTT broker: MQTTnet's server on a TCP listener of our own, with CONNECT authenticated against the
/// credential store, publish and subscribe restricted to granted channels, a maximum packet size, persistent
/// sessions that expire, and Last Will delivery on abrupt disconnects. Start one with <see cref="StartAsync"/>
/// in a test or any host; <see cref="BrokerHostedService"/> does so for a generic host.
/// </summary>
internal sealed partial class EmbeddedBroker : IAsyncDisposable
{
    private readonly BrokerOptions _options;
    private readonly ICredentialStore _store;
    private readonly ILogger _logger;
    private readonly BrokerTcpAdapter _listener;
    private readonly MqttServer _server;
    private readonly CancellationTokenSource _stopping = new();

    // Client id -> entity id (empty for anonymous). A client id belongs to the entity that opened its session,
    // so another entity cannot take over its connection or inherit its subscriptions and queued messages.
    private readonly ConcurrentDictionary<string, string> _clientOwners = new(StringComparer.Ordinal);

    private Task _sessionSweeper = Task.CompletedTask;
    private int _disposed;

    private EmbeddedBroker(BrokerOptions options, ICredentialStore store, ILoggerFactory loggerFactory)
    {
        _options = options;
        _store = store;
        _logger = loggerFactory.CreateLogger<EmbeddedBroker>();
        _listener = new BrokerTcpAdapter(options.ResolveEndPoint(), options.MaxPacketSize, _logger);

        var serverOptions = new MqttServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            .WithPersistentSessions(true)
            .Build();
        var mqttLogger = new MqttNetLoggerBridge(loggerFactory.CreateLogger("Propeller.Broker.MQTTnet"));
        _server = new MqttServerFactory().CreateMqttServer(serverOptions, [_listener], mqttLogger);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.ClientConnectedAsync += OnClientConnectedAsync;
        _server.ClientDisconnectedAsync += OnClientDisconnectedAsync;
        _server.SessionDeletedAsync += OnSessionDeletedAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
    }

    /// <summary>The address and port the broker listens on.</summary>
    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint ?? throw new InvalidOperationException("The broker has not started.");

    /// <summary>The TCP port actually bound (the chosen one when <see cref="BrokerOptions.Port"/> was 0).</summary>
    public int Port => LocalEndPoint.Port;

    /// <summary>Validates <paramref name="options"/>, binds the listener and starts accepting clients.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
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

        var broker = new EmbeddedBroker(options.Clone(), store, loggerFactory);
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
        Log.Started(broker._logger, broker.LocalEndPoint, options.MaxPacketSize, options.AllowAnonymous);
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
        if (wasStarted)
        {
            Log.Stopped(_logger, _listener.LocalEndPoint);
        }
    }

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
        return Task.CompletedTask;
    }

    private Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        // Messages injected by the hosting process itself have no client.
        if (string.IsNullOrEmpty(args.ClientId) || IsUnrestrictedAnonymous(args.UserName))
        {
            return Task.CompletedTask;
        }

        var topic = args.ApplicationMessage?.Topic;
        if (!string.IsNullOrEmpty(args.UserName) && TopicAuthorizer.MayPublish(_store.GetGrants(args.UserName), topic))
        {
            return Task.CompletedTask;
        }

        Log.PublishDenied(_logger, args.UserName ?? string.Empty, args.ClientId, topic);
        args.ProcessPublish = false;
        args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        if (IsUnrestrictedAnonymous(args.UserName))
        {
            return Task.CompletedTask;
        }

        var filter = args.TopicFilter?.Topic;
        if (!string.IsNullOrEmpty(args.UserName) && TopicAuthorizer.MaySubscribe(_store.GetGrants(args.UserName), filter))
        {
            return Task.CompletedTask;
        }

        Log.SubscriptionDenied(_logger, args.UserName ?? string.Empty, args.ClientId, filter);
        args.ProcessSubscription = false;
        args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
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
