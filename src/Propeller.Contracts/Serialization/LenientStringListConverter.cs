using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Propeller.Contracts.Serialization;

/// <summary>
/// Reads a list whose items may be JSON strings, numbers (kept as their literal text) or booleans.
/// The original proplet accepts only strings; DECISIONS §4 widens that on both sides.
/// </summary>
public sealed class LenientStringListConverter : JsonConverter<List<string>>
{
    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("expected an array of strings or numbers");
        }

        var items = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                _ => throw new JsonException(string.Create(CultureInfo.InvariantCulture, $"[{items.Count}]: expected string or number")),
            });
        }

        return items;
    }

    public override void Write(Utf8JsonWriter writer, List<string> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartArray();
        foreach (var item in value)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }
}
