using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace Propeller.Broker.Transport;

/// <summary>
/// The broker's TCP listener, in place of MQTTnet's: it reports the port actually bound (port 0 works),
/// enforces the maximum packet size on every connection, and remembers each connection's CONNECT packet.
/// </summary>
internal sealed partial class BrokerTcpAdapter(IPEndPoint bindEndPoint, int maxPacketSize, ILogger logger) : IMqttServerAdapter
{
    private const int Backlog = 512;

    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private Socket? _listener;
    private Task? _acceptLoop;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>The address and port bound, known once started.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

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

            _ = Task.Run(() => HandleClientAsync(client, options, mqttLogger), CancellationToken.None);
        }
    }

    private async Task HandleClientAsync(Socket client, MqttServerOptions options, IMqttNetLogger mqttLogger)
    {
        var handler = ClientHandler;
        var remote = client.RemoteEndPoint;
        try
        {
            client.NoDelay = true;
            var connection = new BrokerConnection(remote);
            var stream = new NetworkStream(client, ownsSocket: true);
            var tcpChannel = new MqttTcpChannel(stream, remote, client.LocalEndPoint, null);
            var limited = new PacketSizeLimitingChannel(tcpChannel, maxPacketSize, connection, logger);
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
        }
    }
}
