namespace Propeller.Contracts.Mqtt;

/// <summary>
/// A broker address: <c>tcp://host:port</c>, <c>mqtt://</c>, or <c>ssl://</c>/<c>tls://</c>/<c>mqtts://</c> for TLS
/// (default port 8883), or a bare <c>host[:port]</c> (including DNS names, which the original rejects).
/// </summary>
public sealed record MqttAddress(string Host, int Port, bool UseTls)
{
    public static MqttAddress Parse(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        var text = address.Trim();
        var useTls = false;
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var scheme = text[..schemeEnd].ToLowerInvariant();
            useTls = scheme is "ssl" or "tls" or "mqtts";
            if (!useTls && scheme is not ("tcp" or "mqtt"))
            {
                throw new FormatException($"unsupported MQTT address scheme '{scheme}' in '{address}'");
            }

            text = text[(schemeEnd + 3)..].TrimEnd('/');
        }

        var defaultPort = useTls ? 8883 : 1883;
        string host;
        var port = defaultPort;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"invalid IPv6 address in '{address}'");
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.StartsWith(':'))
            {
                port = ParsePort(rest[1..], address);
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon >= 0 ? text[..colon] : text;
            if (colon >= 0)
            {
                port = ParsePort(text[(colon + 1)..], address);
            }
        }

        if (host.Length == 0)
        {
            throw new FormatException($"missing host in MQTT address '{address}'");
        }

        return new MqttAddress(host, port, useTls);
    }

    public override string ToString() => $"{(UseTls ? "ssl" : "tcp")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";

    private static int ParsePort(string text, string address) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new FormatException($"invalid port in MQTT address '{address}'");
}
