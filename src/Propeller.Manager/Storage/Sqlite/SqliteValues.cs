using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;

namespace Propeller.Manager.Storage.Sqlite;

/// <summary>
/// How values are written to and read from SQLite columns. Times are <see cref="StoredTime"/> text: fixed width,
/// so comparing and ordering the text compares the instants, it keeps every tick of a <see cref="DateTimeOffset"/>,
/// and it stays readable in the sqlite3 shell. JSON columns hold the contract JSON (snake_case); null is SQL NULL.
/// </summary>
internal static class SqliteValues
{
    public static string Time(DateTimeOffset value) => StoredTime.ToText(value);

    public static DateTimeOffset ReadTime(SqliteDataReader reader, int ordinal) => ParseTime(reader.GetString(ordinal));

    public static DateTimeOffset ParseTime(string text) => StoredTime.Parse(text);

    public static object Json<T>(T? value, JsonTypeInfo<T> typeInfo)
        where T : class =>
        value is null ? DBNull.Value : JsonSerializer.Serialize(value, typeInfo);

    public static object Json(JsonElement? value, JsonTypeInfo<JsonElement> typeInfo) =>
        value is { } element ? JsonSerializer.Serialize(element, typeInfo) : DBNull.Value;

    public static T? ReadJson<T>(SqliteDataReader reader, int ordinal, JsonTypeInfo<T> typeInfo)
        where T : class =>
        reader.IsDBNull(ordinal) ? null : JsonSerializer.Deserialize(reader.GetString(ordinal), typeInfo);

    public static JsonElement? ReadJsonElement(SqliteDataReader reader, int ordinal, JsonTypeInfo<JsonElement> typeInfo) =>
        reader.IsDBNull(ordinal) ? null : JsonSerializer.Deserialize(reader.GetString(ordinal), typeInfo);

    public static object Text(string? value) => (object?)value ?? DBNull.Value;

    public static string? ReadText(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>SQLite integers are signed; a page bound past <see cref="long.MaxValue"/> means "all".</summary>
    public static long Bound(ulong value) => (long)Math.Min(value, long.MaxValue);

    public static SqliteParameter Add(this SqliteCommand command, string name, object value) =>
        command.Parameters.AddWithValue(name, value);
}
