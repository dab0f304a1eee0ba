using System.Globalization;

namespace Propeller.Contracts.Configuration;

/// <summary>
/// Parses durations as the original's environment does (<c>30s</c>, <c>1m30s</c>, <c>500ms</c>, <c>2h</c>), and
/// also plain numbers as seconds, which is what operators usually type.
/// </summary>
public static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.Trim();
        if (double.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return TryFromSeconds(seconds, out value);
        }

        var totalSeconds = 0.0;
        var position = 0;
        while (position < span.Length)
        {
            var numberStart = position;
            while (position < span.Length && (char.IsAsciiDigit(span[position]) || span[position] == '.'))
            {
                position++;
            }

            if (position == numberStart
                || !double.TryParse(span.AsSpan(numberStart, position - numberStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unitStart = position;
            while (position < span.Length && (char.IsAsciiLetter(span[position]) || span[position] == 'µ'))
            {
                position++;
            }

            var factor = span[unitStart..position] switch
            {
                "ns" => 1e-9,
                "us" or "µs" => 1e-6,
                "ms" => 1e-3,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                _ => double.NaN,
            };
            if (double.IsNaN(factor))
            {
                return false;
            }

            totalSeconds += amount * factor;
        }

        return TryFromSeconds(totalSeconds, out value);
    }

    private static bool TryFromSeconds(double seconds, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (double.IsNaN(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
