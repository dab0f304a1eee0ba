using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Propeller.Contracts.Serialization;

namespace Propeller.Manager.Storage.Postgres;

/// <summary>
/// The SQL form of <see cref="MetadataMatcher"/>. The whole filter is first tested with <c>metadata @&gt; filter</c>,
/// which the GIN index answers; containment is looser than equality for objects and arrays, so each key is then
/// compared with JSONB equality: same kind, strings by text, numbers by value (5 = 5.0), objects by their keys and
/// values (key order is not kept by JSONB, so it never matters). Keys and values are bound as parameters.
/// </summary>
internal static class PostgresMetadataFilter
{
    public static void Append(IReadOnlyDictionary<string, JsonElement>? filter, StringBuilder where, List<Action<NpgsqlCommand>> binds)
    {
        if (filter is null || filter.Count == 0)
        {
            return;
        }

        // A number beyond a double's range matches nothing, as in memory; nor does a NUL character, which no
        // stored value can hold (PostgreSQL refuses it in text and JSONB).
        if (filter.Any(f => (f.Value.ValueKind == JsonValueKind.Number && MetadataMatcher.NumberOperand(f.Value) is null)
            || f.Key.Contains('\0', StringComparison.Ordinal) || HasNul(f.Value)))
        {
            where.Append(" AND FALSE");
            return;
        }

        var containment = JsonSerializer.Serialize(filter.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal), PropellerJsonContext.Default.DictionaryStringJsonElement);
        binds.Add(c => c.Add("mf", NpgsqlDbType.Jsonb, containment));
        where.Append(" AND tasks.metadata @> @mf");

        var index = 0;
        foreach (var (key, value) in filter)
        {
            var keyName = string.Create(CultureInfo.InvariantCulture, $"mk{index}");
            var valueName = string.Create(CultureInfo.InvariantCulture, $"mv{index}");
            index++;
            var text = MetadataMatcher.CompactText(value);
            binds.Add(c => c.Add(keyName, NpgsqlDbType.Text, key));
            binds.Add(c => c.Add(valueName, NpgsqlDbType.Jsonb, text));
            where.Append(CultureInfo.InvariantCulture, $" AND tasks.metadata -> @{keyName} = @{valueName}");
        }
    }

    private static bool HasNul(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Contains('\0', StringComparison.Ordinal),
        JsonValueKind.Array => value.EnumerateArray().Any(HasNul),
        JsonValueKind.Object => value.EnumerateObject().Any(p => p.Name.Contains('\0', StringComparison.Ordinal) || HasNul(p.Value)),
        _ => false,
    };
}
