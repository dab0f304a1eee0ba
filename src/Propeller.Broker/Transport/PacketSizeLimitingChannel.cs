using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet.Channel;

namespace Propeller.Broker.Transport;

/// <summary>
/// Enforces the maximum packet sizes on the inbound byte stream. MQTTnet's server has no such limit and
/// allocates the whole body announced in a fixed header (up to 256 MiB), so this reads the MQTT framing as the
/// bytes pass and fails the read as soon as a fixed header announces an oversized packet, before its body
/// is read or allocated. The first packet (CONNECT, from a client not yet authenticated) has its own, smaller
/// limit. The connection is then closed (MQTT 3.1.1 has no way to say why).
/// </summary>
internal sealed partial class PacketSizeLimitingChannel(IMqttChannel inner, PacketSizeLimits limits, BrokerConnection connection, ILogger logger)
    : IMqttChannel
{
    private FrameState _state = FrameState.FixedHeader;
    private bool _firstPacket = true;
    private long _remainingLength;
    private long _multiplier;
    private int _lengthBytes;
    private long _bodyLeft;

    private enum FrameState
    {
        FixedHeader,
        RemainingLength,
        Body,
    }

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        Track(buffer.AsSpan(offset, read));
        return read;
    }

    public void Dispose() => inner.Dispose();

    private void Track(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            switch (_state)
            {
                case FrameState.FixedHeader:
                    i++;
                    _state = FrameState.RemainingLength;
                    _remainingLength = 0;
                    _multiplier = 1;
                    _lengthBytes = 0;
                    break;

                case FrameState.RemainingLength:
                    var b = bytes[i++];
                    _remainingLength += (b & 0x7F) * _multiplier;
                    _multiplier *= 128;
                    _lengthBytes++;
                    if ((b & 0x80) != 0)
                    {
                        // A fifth length byte is malformed; MQTTnet rejects it on its own.
                        if (_lengthBytes == 4)
                        {
                            _state = FrameState.FixedHeader;
                        }

                        break;
                    }

                    var packetSize = 1 + _lengthBytes + _remainingLength;
                    if (_firstPacket)
                    {
                        _firstPacket = false;
                        if (packetSize > limits.MaxConnectPacketSize)
                        {
                            Log.ConnectPacketTooLarge(logger, connection.RemoteEndPoint, packetSize, limits.MaxConnectPacketSize);
                            throw new PacketTooLargeException(packetSize, limits.MaxConnectPacketSize);
                        }
                    }
                    else if (packetSize > limits.MaxPacketSize)
                    {
                        Log.PacketTooLarge(logger, connection.Describe(), packetSize, limits.MaxPacketSize);
                        throw new PacketTooLargeException(packetSize, limits.MaxPacketSize);
                    }

                    _bodyLeft = _remainingLength;
                    _state = _bodyLeft == 0 ? FrameState.FixedHeader : FrameState.Body;
                    break;

                case FrameState.Body:
                    var skip = (int)Math.Min(_bodyLeft, bytes.Length - i);
                    i += skip;
                    _bodyLeft -= skip;
                    if (_bodyLeft == 0)
                    {
                        _state = FrameState.FixedHeader;
                    }

                    break;
            }
        }
    }
}
