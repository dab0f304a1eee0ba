using System.Net;

namespace Propeller.Broker.Hosting;

/// <summary>Settings of the embedded MQTT broker. Checked by <see cref="BrokerOptionsValidator"/>.</summary>
internal sealed class BrokerOptions
{
    public const string DefaultHost = "0.0.0.0";
    public const int DefaultPort = 1883;

    /// <summary>10 MiB: proxy chunks (~700 KB) and start messages that embed an uploaded Wasm file must fit.</summary>
    public const int DefaultMaxPacketSize = 10 * 1024 * 1024;

    /// <summary>Smallest accepted limit: a CONNECT with credentials and a Last Will must still fit.</summary>
    public const int MinimumMaxPacketSize = 1024;

    /// <summary>The largest packet MQTT can frame (1 + 4 length bytes + 268,435,455).</summary>
    public const int MaximumMaxPacketSize = 268_435_460;

    /// <summary>Address to listen on: an IPv4 or IPv6 literal, or <c>localhost</c>. <c>::</c> listens on IPv4 and IPv6.</summary>
    public string Host { get; set; } = DefaultHost;

    /// <summary>TCP port; 0 lets the system choose (read it back from <see cref="EmbeddedBroker.Port"/>).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Largest MQTT packet a client may send, in bytes; a larger one closes its connection.</summary>
    public int MaxPacketSize { get; set; } = DefaultMaxPacketSize;

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

    /// <summary>The endpoint to bind; call after validation.</summary>
    public IPEndPoint ResolveEndPoint() =>
        new(string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(Host), Port);

    public BrokerOptions Clone() => (BrokerOptions)MemberwiseClone();
}
