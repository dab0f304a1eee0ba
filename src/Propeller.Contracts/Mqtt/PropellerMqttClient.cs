using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;

namespace Propeller.Contracts.Mqtt;

/// <summary>
/// One MQTT 3.1.1 connection shared by a component: connects in the background, reconnects with back-off
/// (1 s doubling to a cap), re-subscribes after every connect (sessions are clean), and runs each incoming
/// message in its own task so a slow handler never blocks the connection.
/// </summary>
public sealed partial class PropellerMqttClient : IAsyncDisposable
{
    private readonly MqttConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly List<(string Filter, MqttMessageHandler Handler)> _subscriptions = [];
    private readonly Lock _subscriptionsLock = new();
    private readonly SemaphoreSlim _handlerSlots;
    // Not disposed: a publish abandoned at shutdown releases its slot whenever MQTTnet lets go of it.
    private readonly SemaphoreSlim _inflightSlots;
    private readonly CancellationTokenSource _handlersStopping = new();
    private int _handlersRunning;
    private readonly SemaphoreSlim _disconnected = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _connectedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _connectionLoop;
    private int _aborted;
    private int _dropping;
    private int _disposed;

    public PropellerMqttClient(MqttConnectionOptions options, ILogger<PropellerMqttClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        _handlerSlots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentHandlers));
        _inflightSlots = new SemaphoreSlim(Math.Max(1, options.MaxInflightPublishes));
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <summary>Raised after every successful (re)connect, once subscriptions are restored.</summary>
    public event Func<Task>? Connected;

    public bool IsConnected => Volatile.Read(ref _aborted) == 0 && _client.IsConnected;

    public string ClientId => _options.ClientId;

    /// <summary>
    /// Starts connecting. With <paramref name="waitForConnection"/> it returns once the first connect succeeded
    /// (or throws when the token fires first); otherwise it returns at once and keeps trying in the background.
    /// </summary>
    public async Task StartAsync(bool waitForConnection, CancellationToken cancellationToken)
    {
        _connectionLoop ??= Task.Run(() => ConnectionLoopAsync(_stopping.Token), CancellationToken.None);
        if (waitForConnection)
        {
            await WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task WaitForConnectionAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _connectedSignal).Task.WaitAsync(cancellationToken);

    /// <summary>Subscribes now if connected, and again after every reconnect.</summary>
    public async Task SubscribeAsync(string topicFilter, MqttMessageHandler handler, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicFilter);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_subscriptionsLock)
        {
            _subscriptions.Add((topicFilter, handler));
        }

        if (_client.IsConnected)
        {
            await SubscribeOnBrokerAsync(topicFilter, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task PublishAsync<T>(string topic, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        PublishAsync(topic, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), cancellationToken);

    /// <summary>
    /// Publishes at the configured QoS. While disconnected it waits up to the publish timeout for the connection
    /// to come back, then throws <see cref="MqttPublishException"/>. A broker that has not acknowledged within the
    /// timeout is taken for a dead connection: it is dropped and re-established.
    /// </summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(_options.PublishTimeout);
        var connected = false;
        try
        {
            if (!_client.IsConnected)
            {
                await WaitForConnectionAsync(timeout.Token).ConfigureAwait(false);
            }

            connected = true;
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload.ToArray())
                .WithQualityOfServiceLevel(_options.QualityOfService)
                .WithRetainFlag(false)
                .Build();
            // Waiting for a slot is safe to cancel: nothing has been written yet.
            await _inflightSlots.WaitAsync(timeout.Token).ConfigureAwait(false);
            var result = await WaitUncancelledAsync(PublishInSlotAsync(message), timeout.Token).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                throw new MqttPublishException($"publish to '{topic}' failed: {result.ReasonCode} {result.ReasonString}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Connected, yet neither this publish nor those ahead of it were acknowledged in time: the connection is
            // as good as dead (a half-open TCP connection, a hung broker) and keep-alive will not notice while we send.
            if (connected && !_stopping.IsCancellationRequested)
            {
                Log.NotAcknowledged(_logger, _options.ClientId, topic, _options.PublishTimeout.TotalSeconds);
                _ = DropUnresponsiveConnectionAsync();
                throw new MqttPublishException(
                    $"publish to '{topic}' was not acknowledged by the broker within {_options.PublishTimeout.TotalSeconds:0.#} s; reconnecting");
            }

            throw new MqttPublishException($"publish to '{topic}' timed out after {_options.PublishTimeout.TotalSeconds:0.#} s: not connected to the broker");
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException ex)
        {
            throw new MqttPublishException($"publish to '{topic}' failed: {ex.Message}", ex);
        }
    }

    /// <summary>Disconnects cleanly: the broker does not publish the Last Will.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                Log.DisconnectFailed(_logger, ex.Message);
            }
        }
    }

    /// <summary>
    /// Drops the connection without a DISCONNECT packet, as a crash or a cut network would, so the broker
    /// publishes the Last Will. No reconnect follows.
    /// </summary>
    public async Task AbortAsync()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
        if (_connectionLoop is not null)
        {
            await _connectionLoop.ConfigureAwait(false);
        }

        if (Volatile.Read(ref _aborted) == 0)
        {
            _client.Dispose();
        }

        // Let handlers that already run finish (a result being stored should not be cut off), then cancel stragglers.
        await WaitForHandlersAsync(HandlerDrainTimeout).ConfigureAwait(false);
        await _handlersStopping.CancelAsync().ConfigureAwait(false);
        await WaitForHandlersAsync(HandlerDrainTimeout).ConfigureAwait(false);
        if (Volatile.Read(ref _handlersRunning) > 0)
        {
            Log.HandlersStillRunning(_logger, Volatile.Read(ref _handlersRunning));
            return;
        }

        _stopping.Dispose();
        _handlersStopping.Dispose();
        _handlerSlots.Dispose();
        _disconnected.Dispose();
    }

    private async Task ConnectionLoopAsync(CancellationToken stopping)
    {
        var address = MqttAddress.Parse(_options.Address);
        var addressText = address.ToString();
        var delay = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // A failed attempt also raises DisconnectedAsync; that stale signal must not end the next session.
                _disconnected.Wait(0, CancellationToken.None);
                ResetConnectedSignal();

                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                connectTimeout.CancelAfter(_options.ConnectTimeout);
                await _client.ConnectAsync(BuildClientOptions(address), connectTimeout.Token).ConfigureAwait(false);
                delay = TimeSpan.FromSeconds(1);
                Log.Connected(_logger, _options.ClientId, addressText);
                await RestoreSubscriptionsAsync(stopping).ConfigureAwait(false);
                Volatile.Read(ref _connectedSignal).TrySetResult();
                await RaiseConnectedAsync().ConfigureAwait(false);
                await _disconnected.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.ConnectFailed(_logger, _options.ClientId, addressText, ex.Message, delay.TotalSeconds);

                // Connected but not set up (a subscription was refused or timed out): drop the connection so the
                // next attempt starts clean; MQTTnet refuses to connect a client that is still connected.
                await DropHalfOpenConnectionAsync().ConfigureAwait(false);
                try
                {
                    await Task.Delay(delay, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
            }
        }
    }

    // MQTTnet writes a packet in more than one socket write. A token that fires between them leaves half a packet on
    // the wire, and the broker reads our next packets as its rest: a silent stall until the bytes add up, then a
    // protocol error. So a send is never cancelled once started; only our wait for it is, and the operation runs
    // on until it is acknowledged or the connection drops.
    private static async Task<T> WaitUncancelledAsync<T>(Task<T> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!operation.IsCompleted)
        {
            _ = operation.ContinueWith(
                static finished => _ = finished.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
    }

    private async Task<MqttClientPublishResult> PublishInSlotAsync(MqttApplicationMessage message)
    {
        try
        {
            return await _client.PublishAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _inflightSlots.Release();
        }
    }

    private async Task DropUnresponsiveConnectionAsync()
    {
        if (Interlocked.Exchange(ref _dropping, 1) == 1)
        {
            return;
        }

        try
        {
            await DropHalfOpenConnectionAsync().ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _dropping, 0);
        }
    }

    private async Task DropHalfOpenConnectionAsync()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            Log.DisconnectFailed(_logger, ex.Message);
        }
    }

    private const int SocketBufferSize = 256 * 1024;

    private MqttClientOptions BuildClientOptions(MqttAddress address)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(address.Host, address.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(_options.ClientId)
            .WithCredentials(_options.Username, _options.Password)
            .WithCleanSession(true)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.ConnectTimeout);
        if (_options.Will is { } will)
        {
            builder = builder
                .WithWillTopic(will.Topic)
                .WithWillPayload(will.Payload.ToArray())
                .WithWillQualityOfServiceLevel(will.QualityOfService)
                .WithWillRetain(will.Retain);
        }

        if (address.UseTls || _options.TlsCaCertPath is not null)
        {
            builder = builder.WithTlsOptions(BuildTls);
        }

        var options = builder.Build();
        if (options.ChannelOptions is MqttClientTcpOptions tcp)
        {
            // MQTTnet's default 8 KiB socket buffer stalls a large publish (a 512 KB proxy chunk, ~700 KB on the wire,
            // took ~400 ms on loopback); 256 KiB sends it in about a millisecond (docs/performance.md, "Delivery").
            tcp.BufferSize = SocketBufferSize;
        }

        return options;
    }

    private void BuildTls(MqttClientTlsOptionsBuilder tls)
    {
        tls.UseTls();
        if (_options.TlsInsecureSkipVerify)
        {
            tls.WithCertificateValidationHandler(_ => true);
        }
        else if (_options.TlsCaCertPath is { } caPath)
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(caPath);
            tls.WithTrustChain(chain);
        }

        if (_options.TlsClientCertPath is { } certPath && _options.TlsClientKeyPath is { } keyPath)
        {
            tls.WithClientCertificates([X509Certificate2.CreateFromPemFile(certPath, keyPath)]);
        }
    }

    private async Task RestoreSubscriptionsAsync(CancellationToken cancellationToken)
    {
        string[] filters;
        lock (_subscriptionsLock)
        {
            filters = _subscriptions.Select(s => s.Filter).Distinct(StringComparer.Ordinal).ToArray();
        }

        foreach (var filter in filters)
        {
            await SubscribeOnBrokerAsync(filter, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SubscribeOnBrokerAsync(string filter, CancellationToken cancellationToken)
    {
        var options = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(_options.QualityOfService))
            .Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var result = await WaitUncancelledAsync(_client.SubscribeAsync(options, CancellationToken.None), timeout.Token).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if ((int)item.ResultCode > 2)
            {
                throw new MqttSubscribeException($"subscription to '{filter}' refused: {item.ResultCode}");
            }
        }
    }

    private async Task RaiseConnectedAsync()
    {
        if (Connected is not { } handlers)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Func<Task>>())
        {
            try
            {
                await handler().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.ConnectedHandlerFailed(_logger, ex);
            }
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        ResetConnectedSignal();
        if (args.ClientWasConnected && !_stopping.IsCancellationRequested)
        {
            Log.Disconnected(_logger, _options.ClientId, args.Reason);
        }

        if (_disconnected.CurrentCount == 0)
        {
            try
            {
                _disconnected.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another disconnect already woke the loop.
            }
        }

        return Task.CompletedTask;
    }

    // Replaces the signal only once it has fired: a failed attempt must not orphan those still waiting for the
    // first connection (heartbeat loops, publishes), who hold the pending one.
    private void ResetConnectedSignal()
    {
        var current = Volatile.Read(ref _connectedSignal);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(
                ref _connectedSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var topic = args.ApplicationMessage.Topic;
        var payload = args.ApplicationMessage.Payload.ToArray();
        List<MqttMessageHandler> handlers;
        lock (_subscriptionsLock)
        {
            handlers = _subscriptions
                .Where(s => MqttTopicFilterComparer.Compare(topic, s.Filter) == MqttTopicFilterCompareResult.IsMatch)
                .Select(s => s.Handler)
                .ToList();
        }

        foreach (var handler in handlers)
        {
            _ = RunHandlerAsync(handler, topic, payload);
        }

        return Task.CompletedTask;
    }

    private async Task WaitForHandlersAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _handlersRunning) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    private async Task RunHandlerAsync(MqttMessageHandler handler, string topic, byte[] payload)
    {
        Interlocked.Increment(ref _handlersRunning);
        try
        {
            try
            {
                await _handlerSlots.WaitAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log.MessageDroppedAtShutdown(_logger, topic);
                return;
            }

            try
            {
                await handler(topic, payload, _handlersStopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_handlersStopping.IsCancellationRequested)
            {
                Log.HandlerCancelledAtShutdown(_logger, topic);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.HandlerFailed(_logger, topic, ex);
            }
            finally
            {
                _handlerSlots.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _handlersRunning);
        }
    }

    private static readonly TimeSpan HandlerDrainTimeout = TimeSpan.FromSeconds(5);

    private static partial class Log
    {
        [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Message on {Topic} arrived while shutting down and was not handled")]
        public static partial void MessageDroppedAtShutdown(ILogger logger, string topic);

        [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Handling of a message on {Topic} was cut off by shutdown")]
        public static partial void HandlerCancelledAtShutdown(ILogger logger, string topic);

        [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "{Count} message handler(s) still running after shutdown; leaving them to finish")]
        public static partial void HandlersStillRunning(ILogger logger, int count);

        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "MQTT client {ClientId} connected to {Address}")]
        public static partial void Connected(ILogger logger, string clientId, string address);

        [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "MQTT client {ClientId} could not connect to {Address}: {Reason}; retrying in {DelaySeconds} s")]
        public static partial void ConnectFailed(ILogger logger, string clientId, string address, string reason, double delaySeconds);

        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "MQTT client {ClientId} lost its connection: {Reason}")]
        public static partial void Disconnected(ILogger logger, string clientId, MqttClientDisconnectReason reason);

        [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Handler for MQTT topic {Topic} failed")]
        public static partial void HandlerFailed(ILogger logger, string topic, Exception exception);

        [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "A connected handler failed")]
        public static partial void ConnectedHandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "MQTT disconnect failed: {Reason}")]
        public static partial void DisconnectFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "MQTT client {ClientId}: the broker did not acknowledge a publish to {Topic} within {TimeoutSeconds} s; dropping the connection to reconnect")]
        public static partial void NotAcknowledged(ILogger logger, string clientId, string topic, double timeoutSeconds);
    }
}
