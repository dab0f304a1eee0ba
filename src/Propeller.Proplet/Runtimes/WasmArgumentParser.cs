using System.Globalization;
using System.Text.RegularExpressions;
using Wasmtime;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// Parses task inputs against an export's parameter types, with the grammar and error texts of the original
/// proplet: integers are signed decimal with an optional sign, floats are decimal with an optional exponent, or
/// <c>inf</c>/<c>infinity</c>/<c>nan</c> in any case.
/// </summary>
internal static partial class WasmArgumentParser
{
    private const NumberStyles IntegerStyle = NumberStyles.AllowLeadingSign;
    private const NumberStyles FloatStyle =
        NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    public static ValueBox[] Parse(string functionName, IReadOnlyList<ValueKind> parameters, IReadOnlyList<string> inputs)
    {
        if (parameters.Count != inputs.Count)
        {
            throw new WasmExecutionException(
                $"Argument count mismatch for function '{functionName}': expected {parameters.Count} arguments but got {inputs.Count}");
        }

        var values = new ValueBox[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            values[i] = ParseOne(parameters[i], inputs[i]);
        }

        return values;
    }

    // Each arm converts to ValueBox itself: a bare switch would widen every arm to their common type, double.
    private static ValueBox ParseOne(ValueKind kind, string input) => kind switch
    {
        ValueKind.Int32 => ParseI32(input),
        ValueKind.Int64 => ParseI64(input),
        ValueKind.Float32 => ParseF32(input),
        ValueKind.Float64 => ParseF64(input),
        _ => throw new WasmExecutionException($"Unsupported Wasm value type for arg '{input}'"),
    };

    private static ValueBox ParseI32(string input) =>
        int.TryParse(CheckInteger(input, "i32"), IntegerStyle, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Overflow(input, "i32");

    private static ValueBox ParseI64(string input) =>
        long.TryParse(CheckInteger(input, "i64"), IntegerStyle, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Overflow(input, "i64");

    private static ValueBox ParseF32(string input) =>
        TryParseSpecialFloat(input, out var special)
            ? (float)special
            : float.Parse(CheckDecimal(input, "f32"), FloatStyle, CultureInfo.InvariantCulture);

    private static ValueBox ParseF64(string input) =>
        TryParseSpecialFloat(input, out var special)
            ? special
            : double.Parse(CheckDecimal(input, "f64"), FloatStyle, CultureInfo.InvariantCulture);

    private static string CheckInteger(string input, string type) =>
        input.Length == 0 ? throw ParseError(input, type, "cannot parse integer from empty string")
        : Integer().IsMatch(input) ? input
        : throw ParseError(input, type, "invalid digit found in string");

    private static WasmExecutionException Overflow(string input, string type) =>
        ParseError(input, type, input[0] == '-'
            ? "number too small to fit in target type"
            : "number too large to fit in target type");

    private static bool TryParseSpecialFloat(string input, out double value)
    {
        var unsigned = input.StartsWith('+') || input.StartsWith('-') ? input[1..] : input;
        var sign = input.StartsWith('-') ? -1.0 : 1.0;
        if (unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = sign * double.PositiveInfinity;
            return true;
        }

        value = double.NaN;
        return unsigned.Equals("nan", StringComparison.OrdinalIgnoreCase);
    }

    private static string CheckDecimal(string input, string type) =>
        input.Length == 0 ? throw ParseError(input, type, "cannot parse float from empty string")
        : Decimal().IsMatch(input) ? input
        : throw ParseError(input, type, "invalid float literal");

    private static WasmExecutionException ParseError(string input, string type, string reason) =>
        new($"Failed to parse '{input}' as {type}: {reason}");

    [GeneratedRegex(@"^[+-]?[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Decimal();
}
