using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace Propeller.Broker.Transport;

/// <summary>
/// One of the broker's TCP listeners (plain, or TLS when given a certificate), in place of MQTTnet's: it reports
/// the port actually bound (port 0 works), caps the open connections, enforces the packet size limits on every
/// connection, and remembers each connection's CONNECT packet.
/// </summary>
internal sealed partial class BrokerTcpAdapter(
    IPEndPoint bindEndPoint,
    PacketSizeLimits limits,
    ConnectionLimiter connections,
    TlsListenerSettings? tls,
    ILogger logger) : IMqttServerAdapter
{
    private const int Backlog = 512;

    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private Socket? _listener;
    private Task? _acceptLoop;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>The address and port bound, known once started.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary><c>mqtt</c> or <c>mqtts</c>, for logs.</summary>
    public string Scheme => tls is null ? "mqtt" : "mqtts";

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var listener = new Socket(bindEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (bindEndPoint.AddressFamily == AddressFamily.InterNetworkV6 && bindEndPoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(bindEndPoint);
            listener.Listen(Backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener, options, logger, _stopping.Token));
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        _listener?.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, MqttServerOptions options, IMqttNetLogger mqttLogger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // StopAsync cancels before closing the listener, so this is a shutdown.
                return;
            }
            catch (SocketException exception)
            {
                // Transient (e.g. out of descriptors, or a peer that reset before accept): keep listening.
                Log.AcceptFailed(logger, LocalEndPoint, exception);
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (!connections.TryAcquire())
            {
                Log.ConnectionLimitReached(logger, SafeRemoteEndPoint(client), connections.MaxConnections);
                client.Dispose();
                continue;
            }

            _ = Task.Run(() => HandleClientAsync(client, options, mqttLogger, cancellationToken), CancellationToken.None);
        }
    }

    private async Task HandleClientAsync(Socket client, MqttServerOptions options, IMqttNetLogger mqttLogger, CancellationToken stopping)
    {
        var handler = ClientHandler;
        var remote = SafeRemoteEndPoint(client);
        try
        {
            client.NoDelay = true;
            Stream stream = new NetworkStream(client, ownsSocket: true);
            if (tls is not null)
            {
                if (await AuthenticateAsync(tls, stream, remote, stopping).ConfigureAwait(false) is not { } ssl)
                {
                    return;
                }

                stream = ssl;
            }

            var connection = new BrokerConnection(remote);
            var tcpChannel = new MqttTcpChannel(stream, remote, client.LocalEndPoint, null);
            var limited = new PacketSizeLimitingChannel(tcpChannel, limits, connection, logger);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
            using var adapter = new BrokerChannelAdapter(new MqttChannelAdapter(limited, formatter, mqttLogger), connection);
            if (handler is not null)
            {
                await handler(adapter).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer went away while MQTTnet was not looking; nothing to report beyond debug.
            Log.ConnectionEndedAbruptly(logger, remote, exception);
        }
        finally
        {
            client.Dispose();
            connections.Release();
        }
    }

    /// <summary>
    /// Runs the server side of the TLS handshake, bounded by the handshake timeout so a client that connects and
    /// stays silent cannot hold its slot. Returns null when the handshake failed (logged as a warning).
    /// </summary>
    private async Task<SslStream?> AuthenticateAsync(TlsListenerSettings settings, Stream network, EndPoint? remote, CancellationToken stopping)
    {
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(settings.HandshakeTimeout);
        string reason;
        try
        {
            await ssl.AuthenticateAsServerAsync(settings.Certificate.CreateAuthenticationOptions(), timeout.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (OperationCanceledException)
        {
            reason = $"no handshake within {settings.HandshakeTimeout.TotalSeconds:0.#} s";
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException or SocketException)
        {
            // Plain MQTT on the TLS port, a client that does not trust our certificate, or a reset mid-handshake.
            reason = exception.InnerException is { } inner ? $"{exception.Message} ({inner.Message})" : exception.Message;
        }

        await ssl.DisposeAsync().ConfigureAwait(false);
        if (!stopping.IsCancellationRequested)
        {
            Log.TlsHandshakeFailed(logger, remote, reason);
        }

        return null;
    }

    // RemoteEndPoint throws once the peer has reset the socket.
    private static EndPoint? SafeRemoteEndPoint(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
