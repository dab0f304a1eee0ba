using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Propeller.Testing;

public static class FreePort
{
    private const int Lowest = 10000;
    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>
    /// A TCP port on 127.0.0.1 that was free a moment ago, chosen at random below the kernel's ephemeral range.
    /// An ephemeral port (what binding port 0 gives) can be taken between our check and the server's bind by any
    /// outgoing connection of a test process running alongside; ports below that range are only ever bound on purpose.
    /// </summary>
    public static int Next()
    {
        var ephemeralStart = EphemeralRangeStart();
        for (var attempt = 0; attempt < 100 && ephemeralStart > Lowest; attempt++)
        {
            var port = Random.Shared.Next(Lowest, ephemeralStart);
            if (IsFree(port))
            {
                return port;
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Linux default 32768-60999; elsewhere (no such file) the same default is assumed.
    private static int EphemeralRangeStart()
    {
        try
        {
            var first = File.ReadAllText(EphemeralRangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, NumberStyles.Integer, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
