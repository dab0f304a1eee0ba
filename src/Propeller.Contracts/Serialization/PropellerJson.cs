using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Propeller.Contracts.Serialization;

/// <summary>Serialize and parse wire types with the source-generated context.</summary>
public static class PropellerJson
{
    public static PropellerJsonContext Context => PropellerJsonContext.Default;

    public static JsonSerializerOptions Options => PropellerJsonContext.Default.Options;

    public static byte[] ToUtf8<T>(T value, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    public static string ToText<T>(T value, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.Serialize(value, typeInfo);

    /// <summary>
    /// Parses a JSON object; throws <see cref="JsonException"/> with a readable message for anything else
    /// (malformed JSON, a non-object, wrong field types).
    /// </summary>
    public static T Parse<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a JSON object");
        }

        reader = new Utf8JsonReader(utf8);
        return JsonSerializer.Deserialize(ref reader, typeInfo) ?? throw new JsonException("expected a JSON object");
    }

    /// <summary>Like <see cref="Parse{T}(ReadOnlySpan{byte}, JsonTypeInfo{T})"/>, returning the error instead of throwing.</summary>
    public static bool TryParse<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> typeInfo, out T? value, out string? error)
        where T : class
    {
        try
        {
            value = Parse(utf8, typeInfo);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            value = null;
            error = ex.Message;
            return false;
        }
    }
}
