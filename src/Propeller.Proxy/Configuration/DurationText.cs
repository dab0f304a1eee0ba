using System.Globalization;

namespace Propeller.Proxy.Configuration;

/// <summary>
/// Durations as the original's Go environment writes them (<c>30s</c>, <c>1m30s</c>, <c>500ms</c>), or a plain
/// number of seconds.
/// </summary>
internal static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.Trim();
        if (double.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var plainSeconds))
        {
            return TryFromSeconds(plainSeconds, out value);
        }

        var seconds = 0.0;
        var position = 0;
        while (position < span.Length)
        {
            var numberStart = position;
            while (position < span.Length && (char.IsAsciiDigit(span[position]) || span[position] == '.'))
            {
                position++;
            }

            if (!double.TryParse(span.AsSpan(numberStart, position - numberStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unitStart = position;
            while (position < span.Length && char.IsAsciiLetter(span[position]))
            {
                position++;
            }

            double? factor = span[unitStart..position] switch
            {
                "ms" => 1e-3,
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                _ => null,
            };
            if (factor is not { } unit)
            {
                return false;
            }

            seconds += amount * unit;
        }

        return TryFromSeconds(seconds, out value);
    }

    private static bool TryFromSeconds(double seconds, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (double.IsNaN(seconds) || seconds < 0 || seconds > TimeSpan.FromDays(365).TotalSeconds)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
