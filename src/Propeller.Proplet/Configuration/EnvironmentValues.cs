using System.Globalization;

namespace Propeller.Proplet.Configuration;

/// <summary>The original proplet's parsing rules for environment values (proplet-reference §4.1).</summary>
internal static class EnvironmentValues
{
    /// <summary>
    /// A non-negative whole number, or <paramref name="fallback"/> when the value is missing or does not parse:
    /// the original silently keeps its default for values such as <c>"30s"</c>.
    /// </summary>
    public static long WholeNumber(string? value, long fallback) =>
        long.TryParse(value?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : fallback;

    /// <summary><c>1</c>, <c>true</c>, <c>yes</c> or <c>on</c> in any case; anything else, even empty, is false.</summary>
    public static bool IsTruthy(string? value) =>
        value?.Trim().ToUpperInvariant() is "1" or "TRUE" or "YES" or "ON";

    /// <summary><c>0</c>, <c>false</c>, <c>no</c> or <c>off</c> in any case.</summary>
    public static bool IsFalsy(string? value) =>
        value?.Trim().ToUpperInvariant() is "0" or "FALSE" or "NO" or "OFF";

    /// <summary>The value, or null when it is missing or only whitespace.</summary>
    public static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Splits on <paramref name="separator"/>, trims, and drops empty items.</summary>
    public static IReadOnlyList<string> List(string? value, char separator) =>
        value is null ? [] : value.Split(separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
