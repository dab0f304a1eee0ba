using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;
using Propeller.Broker.Diagnostics;
using Propeller.Broker.Transport;

namespace Propeller.Broker.Hosting;

/// <summary>
/// Forwards MQTTnet's diagnostics to <see cref="ILogger"/>. Its chatty Info level becomes Debug, errors
/// caused by a client's network or protocol faults become warnings (they are not faults of the broker), and
/// reports of an oversized packet become Debug because the listener already logged it with its own event id.
/// </summary>
internal sealed partial class MqttNetLoggerBridge(ILogger logger) : IMqttNetLogger
{
    public bool IsEnabled => true;

    public void Publish(MqttNetLogLevel logLevel, string source, string message, object[] parameters, Exception exception)
    {
        var level = logLevel switch
        {
            _ when IsPacketTooLarge(exception) => LogLevel.Debug,
            MqttNetLogLevel.Verbose => LogLevel.Trace,
            MqttNetLogLevel.Info => LogLevel.Debug,
            MqttNetLogLevel.Warning => LogLevel.Warning,
            _ when exception is MqttCommunicationException or IOException or SocketException => LogLevel.Warning,
            _ => LogLevel.Error,
        };

        if (logger.IsEnabled(level))
        {
            var text = Format(message, parameters);
            Log.MqttNet(logger, level, source ?? "MQTTnet", text, exception);
        }
    }

    private static bool IsPacketTooLarge(Exception? exception) => exception switch
    {
        null => false,
        PacketTooLargeException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsPacketTooLarge),
        _ => IsPacketTooLarge(exception.InnerException),
    };

    private static string Format(string? message, object[]? parameters)
    {
        if (message is null || parameters is not { Length: > 0 })
        {
            return message ?? string.Empty;
        }

        try
        {
            return string.Format(CultureInfo.InvariantCulture, message, parameters);
        }
        catch (FormatException)
        {
            return message;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.MqttNet, EventName = nameof(EventIds.MqttNet), Message = "{Source}: {Text}")]
        public static partial void MqttNet(ILogger logger, LogLevel level, string source, string text, Exception? exception);
    }
}
