using System.Text.Json;
using Propeller.Contracts.Serialization;

namespace Propeller.Manager.Storage;

/// <summary>
/// The metadata filter rule, shared by every backend (SQLite builds the same rule in SQL): a filter entry matches
/// when the task has exactly that key and a value of the same JSON kind that is equal to it. Strings compare by
/// their text, numbers by their value (5 matches 5.0, never "5"), true/false/null by kind, objects and arrays by
/// their compact JSON text.
/// </summary>
internal static class MetadataMatcher
{
    public static bool Matches(IReadOnlyDictionary<string, JsonElement>? metadata, IReadOnlyDictionary<string, JsonElement>? filter)
    {
        if (filter is null || filter.Count == 0)
        {
            return true;
        }

        if (metadata is null)
        {
            return false;
        }

        foreach (var (key, wanted) in filter)
        {
            if (!metadata.TryGetValue(key, out var stored) || !ValueEquals(stored, wanted))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A filter number as SQLite compares it: an integer when it fits a long, else a finite double; null never matches.</summary>
    public static object? NumberOperand(JsonElement number)
    {
        if (number.TryGetInt64(out var integer))
        {
            return integer;
        }

        return number.TryGetDouble(out var real) && double.IsFinite(real) ? real : null;
    }

    public static string CompactText(JsonElement value) => JsonSerializer.Serialize(value, PropellerJsonContext.Default.JsonElement);

    private static bool ValueEquals(JsonElement stored, JsonElement wanted)
    {
        if (stored.ValueKind != wanted.ValueKind)
        {
            return false;
        }

        return wanted.ValueKind switch
        {
            JsonValueKind.String => string.Equals(stored.GetString(), wanted.GetString(), StringComparison.Ordinal),
            JsonValueKind.Number => NumbersEqual(stored, wanted),
            JsonValueKind.Object or JsonValueKind.Array => string.Equals(CompactText(stored), CompactText(wanted), StringComparison.Ordinal),
            _ => true,
        };
    }

    // Mirrors SQLite: integers compare exactly, an integer and a real compare exactly, reals compare as doubles.
    private static bool NumbersEqual(JsonElement stored, JsonElement wanted)
    {
        switch (NumberOperand(wanted))
        {
            case long wantedInteger when stored.TryGetInt64(out var storedInteger):
                return storedInteger == wantedInteger;
            case long wantedInteger:
                return stored.TryGetDouble(out var storedReal) && IntegerEqualsReal(wantedInteger, storedReal);
            case double wantedReal when stored.TryGetInt64(out var storedInteger):
                return IntegerEqualsReal(storedInteger, wantedReal);
            case double wantedReal:
                return stored.TryGetDouble(out var storedReal2) && storedReal2 == wantedReal;
            default:
                return false;
        }
    }

    private static bool IntegerEqualsReal(long integer, double real) =>
        Math.Floor(real) == real && real >= -9.2233720368547758e18 && real < 9.2233720368547758e18 && (long)real == integer;
}
