using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace Propeller.Manager.Storage.Postgres;

/// <summary>
/// How values are written to and read from PostgreSQL columns. Times are <see cref="StoredTime"/> text, as in
/// SQLite, in <c>COLLATE "C"</c> columns: <c>timestamptz</c> keeps only microseconds, every backend must give back
/// the exact <see cref="DateTimeOffset"/> it was given, and byte order of the fixed-width text is time order.
/// JSON columns hold the contract JSON (snake_case); null is SQL NULL.
/// </summary>
internal static class PostgresValues
{
    public static string Time(DateTimeOffset value) => StoredTime.ToText(value);

    public static DateTimeOffset ReadTime(NpgsqlDataReader reader, int ordinal) => ParseTime(reader.GetString(ordinal));

    public static DateTimeOffset ParseTime(string text) => StoredTime.Parse(text);

    public static string? Json<T>(T? value, JsonTypeInfo<T> typeInfo)
        where T : class =>
        value is null ? null : JsonSerializer.Serialize(value, typeInfo);

    public static string? Json(JsonElement? value, JsonTypeInfo<JsonElement> typeInfo) =>
        value is { } element ? JsonSerializer.Serialize(element, typeInfo) : null;

    public static T? ReadJson<T>(NpgsqlDataReader reader, int ordinal, JsonTypeInfo<T> typeInfo)
        where T : class =>
        reader.IsDBNull(ordinal) ? null : JsonSerializer.Deserialize(reader.GetString(ordinal), typeInfo);

    public static JsonElement? ReadJsonElement(NpgsqlDataReader reader, int ordinal, JsonTypeInfo<JsonElement> typeInfo) =>
        reader.IsDBNull(ordinal) ? null : JsonSerializer.Deserialize(reader.GetString(ordinal), typeInfo);

    public static string? ReadText(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>PostgreSQL integers are signed; a page bound past <see cref="long.MaxValue"/> means "all".</summary>
    public static long Bound(ulong value) => (long)Math.Min(value, long.MaxValue);

    public static NpgsqlParameter Add(this NpgsqlCommand command, string name, NpgsqlDbType type, object? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
}
