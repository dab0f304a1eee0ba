using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Serialization;

namespace Propeller.Proplet.Messaging;

/// <summary>
/// Reads an incoming MQTT payload: one that is too big or does not parse as <typeparamref name="T"/> is logged through
/// the caller's own event and dropped, never passed on.
/// </summary>
internal static class IncomingMessage
{
    public static T? TryRead<T>(
        string topic,
        ReadOnlyMemory<byte> payload,
        JsonTypeInfo<T> typeInfo,
        int maxBytes,
        ILogger logger,
        Action<ILogger, string, int, int> logOversized,
        Action<ILogger, string, string?> logMalformed)
        where T : class
    {
        if (payload.Length > maxBytes)
        {
            logOversized(logger, topic, payload.Length, maxBytes);
            return null;
        }

        if (PropellerJson.TryParse(payload.Span, typeInfo, out var value, out var error))
        {
            return value;
        }

        logMalformed(logger, topic, error);
        return null;
    }
}
