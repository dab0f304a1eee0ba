using System.Globalization;
using System.Text;
using Wasmtime.Components;

namespace Propeller.Proplet.Runtimes.Wave;

/// <summary>
/// Prints a component value as canonical WAVE text: strings and chars quoted and escaped, floats in shortest
/// round-trip form (<c>nan</c>, <c>inf</c>, <c>-inf</c>), options as <c>some(..)</c>/<c>none</c>, keyword labels
/// with a leading <c>%</c>. <see cref="WaveParser"/> reads the text back to an equal value.
/// </summary>
internal static class WavePrinter
{
    public static string Print(ComponentValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder();
        Append(text, value);
        return text.ToString();
    }

    private static void Append(StringBuilder text, ComponentValue value)
    {
        switch (value.Kind)
        {
            case ComponentValueKind.Bool:
                text.Append(value.AsBool() ? "true" : "false");
                break;
            case ComponentValueKind.S8:
            case ComponentValueKind.S16:
            case ComponentValueKind.S32:
            case ComponentValueKind.S64:
                text.Append(Signed(value).ToString(CultureInfo.InvariantCulture));
                break;
            case ComponentValueKind.U8:
            case ComponentValueKind.U16:
            case ComponentValueKind.U32:
            case ComponentValueKind.U64:
                text.Append(Unsigned(value).ToString(CultureInfo.InvariantCulture));
                break;
            case ComponentValueKind.F32:
                text.Append(Float(value.AsF32()));
                break;
            case ComponentValueKind.F64:
                text.Append(Float(value.AsF64()));
                break;
            case ComponentValueKind.Char:
                text.Append('\'');
                AppendEscaped(text, new Rune(value.AsChar()), '\'');
                text.Append('\'');
                break;
            case ComponentValueKind.String:
                text.Append('"');
                foreach (var rune in value.AsString().EnumerateRunes())
                {
                    AppendEscaped(text, rune, '"');
                }

                text.Append('"');
                break;
            case ComponentValueKind.List:
                AppendSequence(text, '[', value.AsList(), ']');
                break;
            case ComponentValueKind.Tuple:
                AppendSequence(text, '(', value.AsTuple(), ')');
                break;
            case ComponentValueKind.Record:
                AppendRecord(text, value.AsRecord());
                break;
            case ComponentValueKind.Variant:
                AppendCase(text, WaveLabels.Escape(value.AsVariant()), value.Payload);
                break;
            case ComponentValueKind.Enum:
                text.Append(WaveLabels.Escape(value.AsEnum()));
                break;
            case ComponentValueKind.Option:
                AppendCase(text, value.IsSome ? "some" : "none", value.Payload);
                break;
            case ComponentValueKind.Result:
                AppendCase(text, value.IsOk ? "ok" : "err", value.Payload);
                break;
            case ComponentValueKind.Flags:
                text.Append('{').AppendJoin(", ", value.AsFlags().Select(WaveLabels.Escape)).Append('}');
                break;
            default:
                throw new NotSupportedException($"WAVE cannot print a {value.Kind} value.");
        }
    }

    private static long Signed(ComponentValue value) => value.Kind switch
    {
        ComponentValueKind.S8 => value.AsS8(),
        ComponentValueKind.S16 => value.AsS16(),
        ComponentValueKind.S32 => value.AsS32(),
        _ => value.AsS64(),
    };

    private static ulong Unsigned(ComponentValue value) => value.Kind switch
    {
        ComponentValueKind.U8 => value.AsU8(),
        ComponentValueKind.U16 => value.AsU16(),
        ComponentValueKind.U32 => value.AsU32(),
        _ => value.AsU64(),
    };

    private static string Float(float value) =>
        float.IsNaN(value) ? "nan"
        : float.IsPositiveInfinity(value) ? "inf"
        : float.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Float(double value) =>
        double.IsNaN(value) ? "nan"
        : double.IsPositiveInfinity(value) ? "inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static void AppendEscaped(StringBuilder text, Rune rune, char quote)
    {
        switch (rune.Value)
        {
            case '\\': text.Append(@"\\"); break;
            case '\n': text.Append(@"\n"); break;
            case '\t': text.Append(@"\t"); break;
            case '\r': text.Append(@"\r"); break;
            case var c when c == quote: text.Append('\\').Append(quote); break;
            case var c when c < 0x20 || c == 0x7f:
                text.Append(CultureInfo.InvariantCulture, $"\\u{{{c:x}}}");
                break;
            default: text.Append(rune.ToString()); break;
        }
    }

    private static void AppendSequence(StringBuilder text, char open, IReadOnlyList<ComponentValue> items, char close)
    {
        text.Append(open);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            Append(text, items[i]);
        }

        // A one-element tuple needs no trailing comma in WAVE: the type says it is a tuple.
        text.Append(close);
    }

    private static void AppendRecord(StringBuilder text, IReadOnlyList<KeyValuePair<string, ComponentValue>> fields)
    {
        text.Append('{');
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            text.Append(WaveLabels.Escape(fields[i].Key)).Append(": ");
            Append(text, fields[i].Value);
        }

        text.Append('}');
    }

    private static void AppendCase(StringBuilder text, string label, ComponentValue? payload)
    {
        text.Append(label);
        if (payload is not null)
        {
            text.Append('(');
            Append(text, payload);
            text.Append(')');
        }
    }
}
