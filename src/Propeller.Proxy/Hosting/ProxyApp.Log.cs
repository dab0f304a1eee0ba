using Microsoft.Extensions.Logging;
using Propeller.Proxy.Diagnostics;

namespace Propeller.Proxy.Hosting;

internal static partial class ProxyApp
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.HttpListening, LogLevel.Information, "Proxy serving /health and /metrics on {Addresses}")]
        public static partial void HttpListening(ILogger logger, string addresses);
    }
}
