using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Propeller.Cli.Hosts;

/// <summary>Log set-ups for the in-process hosts.</summary>
internal static class HostLogging
{
    /// <summary>One readable line per entry, for people watching <c>propeller dev</c>; everything on stderr when asked.</summary>
    public static Action<ILoggingBuilder> Readable(LogLevel level, bool toStandardError = false) => logging =>
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("MQTTnet", LogLevel.Warning);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
            o.ColorBehavior = LoggerColorBehavior.Default;
        });
        if (toStandardError)
        {
            logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }
    };

    public static ILoggerFactory Factory(Action<ILoggingBuilder> configure) => LoggerFactory.Create(configure);
}
