using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Propeller.Contracts.Serialization;

/// <summary>
/// Reads a timestamp as an RFC 3339 string or as the Rust proplet's
/// <c>{"secs_since_epoch":..,"nanos_since_epoch":..}</c> object; writes RFC 3339 in UTC.
/// The unset time is written as <c>0001-01-01T00:00:00Z</c>, as the Go manager does.
/// </summary>
public sealed class FlexibleTimestampConverter : JsonConverter<DateTimeOffset>
{
    private const string WriteFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return DateTimeOffset.MinValue;
            case JsonTokenType.String:
                var text = reader.GetString();
                if (string.IsNullOrEmpty(text))
                {
                    return DateTimeOffset.MinValue;
                }

                // .NET keeps 7 fractional digits; Go and Rust write up to 9, which are truncated like the object form.
                if (TryParseWithNanoseconds(text, out var parsed)
                    || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out parsed))
                {
                    return parsed;
                }

                throw new JsonException($"'{text}' is not an RFC 3339 timestamp");
            case JsonTokenType.StartObject:
                return ReadEpochObject(ref reader);
            default:
                throw new JsonException($"expected a timestamp string or object, got {reader.TokenType}");
        }
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value == DateTimeOffset.MinValue
            ? "0001-01-01T00:00:00Z"
            : value.UtcDateTime.ToString(WriteFormat, CultureInfo.InvariantCulture));
    }

    private static DateTimeOffset ReadEpochObject(ref Utf8JsonReader reader)
    {
        long seconds = 0;
        long nanos = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                throw new JsonException("malformed timestamp object");
            }

            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "secs_since_epoch":
                    seconds = reader.GetInt64();
                    break;
                case "nanos_since_epoch":
                    nanos = reader.GetInt64();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (seconds < 0 || seconds > 253_402_300_799 || nanos < 0 || nanos >= 1_000_000_000)
        {
            throw new JsonException("timestamp object out of range");
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100);
    }

    private static bool TryParseWithNanoseconds(string text, out DateTimeOffset value)
    {
        value = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return false;
        }

        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        var digits = end - dot - 1;
        if (digits <= 7)
        {
            return false;
        }

        var trimmed = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
