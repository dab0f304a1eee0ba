using System.Net;

namespace Propeller.Broker.Hosting;

/// <summary>Settings of the embedded MQTT broker. Checked by <see cref="BrokerOptionsValidator"/>.</summary>
internal sealed class BrokerOptions
{
    public const string DefaultHost = "0.0.0.0";
    public const int DefaultPort = 1883;
    public const int DefaultTlsPort = 8883;

    /// <summary>10 MiB: proxy chunks (~700 KB) and start messages that embed an uploaded Wasm file must fit.</summary>
    public const int DefaultMaxPacketSize = 10 * 1024 * 1024;

    /// <summary>Smallest accepted limit: a CONNECT with credentials and a Last Will must still fit.</summary>
    public const int MinimumMaxPacketSize = 1024;

    /// <summary>The largest packet MQTT can frame (1 + 4 length bytes + 268,435,455).</summary>
    public const int MaximumMaxPacketSize = 268_435_460;

    /// <summary>
    /// 64 KiB: a CONNECT carries a client id, credentials and a Last Will (a proplet's is a few hundred bytes), and it
    /// arrives before authentication, so a stranger should not make the broker allocate megabytes.
    /// </summary>
    public const int DefaultMaxConnectPacketSize = 64 * 1024;

    public const int DefaultMaxConnections = 10_000;

    public static readonly TimeSpan DefaultTlsHandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Address to listen on: an IPv4 or IPv6 literal, or <c>localhost</c>. <c>::</c> listens on IPv4 and IPv6.</summary>
    public string Host { get; set; } = DefaultHost;

    /// <summary>TCP port; 0 lets the system choose (read it back from <see cref="EmbeddedBroker.Port"/>).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Largest MQTT packet a client may send, in bytes; a larger one closes its connection.</summary>
    public int MaxPacketSize { get; set; } = DefaultMaxPacketSize;

    /// <summary>Largest first packet (CONNECT) of a connection, in bytes; at most <see cref="MaxPacketSize"/>.</summary>
    public int MaxConnectPacketSize { get; set; } = DefaultMaxConnectPacketSize;

    /// <summary>Open connections (plain and TLS together, handshakes included); more are closed at accept.</summary>
    public int MaxConnections { get; set; } = DefaultMaxConnections;

    /// <summary>Serve plain MQTT on <see cref="Port"/>. May be false only when TLS is configured.</summary>
    public bool PlainListener { get; set; } = true;

    /// <summary>PEM certificate of the TLS listener, optionally followed by its intermediates; needs <see cref="TlsKeyPath"/>.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>TLS port, used when a certificate is configured; 0 lets the system choose (see <see cref="EmbeddedBroker.TlsPort"/>).</summary>
    public int TlsPort { get; set; } = DefaultTlsPort;

    /// <summary>How long a client has to complete the TLS handshake before its connection is closed.</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = DefaultTlsHandshakeTimeout;

    /// <summary>True when a TLS certificate is configured (validation makes sure the key is too).</summary>
    public bool TlsEnabled => TlsCertificatePath is not null;

    /// <summary>JSON file of the credential store; null keeps credentials in memory only.</summary>
    public string? CredentialsPath { get; set; }

    /// <summary>
    /// Accept clients that send no username, with no topic restriction (like Mosquitto's <c>allow_anonymous</c>
    /// without an ACL file). Meant for loopback development only. Clients that do send a username are always
    /// authenticated and restricted.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>How long the session of a disconnected persistent-session client (clean session = false) is kept.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The endpoint to bind for <paramref name="port"/>; call after validation.</summary>
    public IPEndPoint ResolveEndPoint(int port) =>
        new(string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(Host), port);

    public BrokerOptions Clone() => (BrokerOptions)MemberwiseClone();
}
