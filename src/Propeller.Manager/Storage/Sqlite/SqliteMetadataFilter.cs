using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Propeller.Manager.Storage.Sqlite;

/// <summary>
/// The SQL form of <see cref="MetadataMatcher"/>. Keys are looked up with <c>json_each</c> and bound as
/// parameters, so a key may be any string (dots, quotes, brackets) and nothing from the filter reaches the SQL
/// text. A JSON path (<c>$."key"</c>) cannot address a key that contains a double quote.
/// </summary>
internal static class SqliteMetadataFilter
{
    public static void Append(IReadOnlyDictionary<string, JsonElement>? filter, StringBuilder where, List<SqliteParameter> parameters)
    {
        if (filter is null)
        {
            return;
        }

        var index = 0;
        foreach (var (key, value) in filter)
        {
            var keyName = string.Create(CultureInfo.InvariantCulture, $"$mk{index}");
            var valueName = string.Create(CultureInfo.InvariantCulture, $"$mv{index}");
            index++;
            parameters.Add(new SqliteParameter(keyName, key));
            where.Append(CultureInfo.InvariantCulture, $" AND EXISTS (SELECT 1 FROM json_each(tasks.metadata) AS m WHERE m.key = {keyName} AND ");
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    parameters.Add(new SqliteParameter(valueName, value.GetString()));
                    where.Append(CultureInfo.InvariantCulture, $"m.type = 'text' AND m.value = {valueName})");
                    break;
                case JsonValueKind.Number when MetadataMatcher.NumberOperand(value) is { } number:
                    // SQLite compares integers and reals by value, exactly.
                    parameters.Add(new SqliteParameter(valueName, number));
                    where.Append(CultureInfo.InvariantCulture, $"m.type IN ('integer', 'real') AND m.value = {valueName})");
                    break;
                case JsonValueKind.Object or JsonValueKind.Array:
                    // json_each gives a container as compact JSON text, as written by the same serializer.
                    parameters.Add(new SqliteParameter(valueName, MetadataMatcher.CompactText(value)));
                    where.Append(CultureInfo.InvariantCulture, $"m.type = '{(value.ValueKind == JsonValueKind.Object ? "object" : "array")}' AND m.value = {valueName})");
                    break;
                case JsonValueKind.True:
                    where.Append("m.type = 'true')");
                    break;
                case JsonValueKind.False:
                    where.Append("m.type = 'false')");
                    break;
                case JsonValueKind.Null:
                    where.Append("m.type = 'null')");
                    break;
                default:
                    // A number beyond a double's range matches nothing, as in memory.
                    where.Append("0)");
                    break;
            }
        }
    }
}
