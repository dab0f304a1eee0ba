using Microsoft.Extensions.Logging;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Hosting;

internal sealed partial class MetricsServer
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.MetricsServerListening, LogLevel.Information, "Serving /metrics and /health on 0.0.0.0:{Port}")]
        public static partial void Listening(ILogger logger, int port);

        [LoggerMessage(EventIds.MetricsServerFailed, LogLevel.Warning, "Cannot serve /metrics and /health on 0.0.0.0:{Port}, running without them: {Reason}")]
        public static partial void ListenFailed(ILogger logger, int port, string reason);

        [LoggerMessage(EventIds.MetricsPortIgnored, LogLevel.Warning, "PROPLET_METRICS_PORT '{Value}' is not a port between 1 and 65535; using {DefaultPort}")]
        public static partial void PortIgnored(ILogger logger, string value, int defaultPort);

        [LoggerMessage(EventIds.MetricsServerDisabled, LogLevel.Debug, "PROPLET_METRICS_ENABLED is off: no /metrics or /health endpoint")]
        public static partial void Disabled(ILogger logger);
    }
}
