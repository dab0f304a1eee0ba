using System.Globalization;
using System.Text;
using Wasmtime;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// Renders a core function's result as the original proplet does: integers as signed decimal, floats in the
/// shortest text that round-trips, written out without an exponent (<c>30</c>, <c>0.1</c>, <c>1e21</c> as
/// <c>1000000000000000000000</c>), and <c>NaN</c>, <c>inf</c>, <c>-inf</c>.
/// </summary>
internal static class WasmValueFormatter
{
    public static bool CanFormat(ValueKind kind) =>
        kind is ValueKind.Int32 or ValueKind.Int64 or ValueKind.Float32 or ValueKind.Float64;

    public static string Format(object value) => value switch
    {
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        float f => FormatFloat(f, f.ToString("R", CultureInfo.InvariantCulture)),
        double d => FormatFloat(d, d.ToString("R", CultureInfo.InvariantCulture)),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value.GetType(), "Not a Wasm number."),
    };

    // A float widens to double exactly, so the NaN and infinity checks hold for both widths.
    private static string FormatFloat(double value, string shortest)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value < 0 ? "-inf" : "inf";
        }

        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        return e < 0 ? shortest : Positional(shortest[..e], int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture));
    }

    // Writes mantissa × 10^exponent (mantissa like "-1.2345") without an exponent.
    private static string Positional(string mantissa, int exponent)
    {
        var sign = mantissa.StartsWith('-') ? "-" : string.Empty;
        var body = mantissa.TrimStart('-');
        var point = body.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? body : body.Remove(point, 1);
        var pointAt = (point < 0 ? body.Length : point) + exponent;

        var text = new StringBuilder(sign);
        if (pointAt <= 0)
        {
            text.Append("0.").Append('0', -pointAt).Append(digits);
        }
        else if (pointAt >= digits.Length)
        {
            text.Append(digits).Append('0', pointAt - digits.Length);
        }
        else
        {
            text.Append(digits, 0, pointAt).Append('.').Append(digits, pointAt, digits.Length - pointAt);
        }

        return text.ToString();
    }
}
