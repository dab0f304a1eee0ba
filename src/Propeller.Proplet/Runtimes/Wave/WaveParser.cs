using System.Buffers;
using System.Globalization;
using System.Text;
using Wasmtime.Components;

namespace Propeller.Proplet.Runtimes.Wave;

/// <summary>
/// Parses WebAssembly Value Encoding (WAVE) text against a component value type. Accepts everything
/// <see cref="WavePrinter"/> prints, plus whitespace anywhere between tokens, trailing commas, record fields in
/// any order (an omitted option field is <c>none</c>), <c>%</c>-escaped labels, and the option shorthand: a bare
/// payload <c>v</c> means <c>some(v)</c> when the payload type is not itself an option or a result.
/// </summary>
internal sealed class WaveParser
{
    // Deeply nested text must not overflow the parser's stack.
    private const int MaxDepth = 100;

    private static readonly SearchValues<char> TokenEnds = SearchValues.Create(" \t\r\n,)]}");

    private readonly string _text;
    private int _position;
    private int _depth;

    private WaveParser(string text) => _text = text;

    /// <exception cref="WaveFormatException">The text is not a WAVE value of <paramref name="type"/>.</exception>
    public static ComponentValue Parse(string text, WaveType type)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(type);
        var parser = new WaveParser(text);
        var value = parser.Value(type);
        parser.SkipWhitespace();
        if (parser._position < text.Length)
        {
            throw parser.Expected("end of input");
        }

        return value;
    }

    private ComponentValue Value(WaveType type)
    {
        if (++_depth > MaxDepth)
        {
            throw new WaveFormatException(_position, $"values are nested deeper than {MaxDepth} levels");
        }

        SkipWhitespace();
        var value = type.Kind switch
        {
            WaveKind.Bool => Bool(),
            WaveKind.S8 => ComponentValue.S8((sbyte)Signed(type, sbyte.MinValue, sbyte.MaxValue)),
            WaveKind.S16 => ComponentValue.S16((short)Signed(type, short.MinValue, short.MaxValue)),
            WaveKind.S32 => ComponentValue.S32((int)Signed(type, int.MinValue, int.MaxValue)),
            WaveKind.S64 => ComponentValue.S64(Signed(type, long.MinValue, long.MaxValue)),
            WaveKind.U8 => ComponentValue.U8((byte)Unsigned(type, byte.MaxValue)),
            WaveKind.U16 => ComponentValue.U16((ushort)Unsigned(type, ushort.MaxValue)),
            WaveKind.U32 => ComponentValue.U32((uint)Unsigned(type, uint.MaxValue)),
            WaveKind.U64 => ComponentValue.U64(Unsigned(type, ulong.MaxValue)),
            WaveKind.F32 => ComponentValue.F32((float)Float(type)),
            WaveKind.F64 => ComponentValue.F64(Float(type)),
            WaveKind.Char => Char(),
            WaveKind.String => ComponentValue.String(String()),
            WaveKind.List => List(type),
            WaveKind.Tuple => Tuple(type),
            WaveKind.Record => Record(type),
            WaveKind.Variant => Variant(type),
            WaveKind.Enum => Enum(type),
            WaveKind.Option => Option(type),
            WaveKind.Result => Result(type),
            WaveKind.Flags => Flags(type),
            _ => throw new WaveFormatException(_position, $"unsupported type {type}"),
        };
        _depth--;
        return value;
    }

    private ComponentValue Bool()
    {
        var start = _position;
        var label = Label("true or false");
        return label switch
        {
            ("true", false) => ComponentValue.Bool(true),
            ("false", false) => ComponentValue.Bool(false),
            _ => throw ExpectedAt(start, "true or false"),
        };
    }

    private long Signed(WaveType type, long min, long max)
    {
        var start = _position;
        var word = Word();
        if (!IsInteger(word) || !long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
                out var value) || value < min || value > max)
        {
            throw ExpectedAt(start, $"{type} (an integer from {min} to {max})");
        }

        return value;
    }

    private ulong Unsigned(WaveType type, ulong max)
    {
        var start = _position;
        var word = Word();
        if (!IsInteger(word) || word[0] == '-'
            || !ulong.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > max)
        {
            throw ExpectedAt(start, $"{type} (an integer from 0 to {max})");
        }

        return value;
    }

    private double Float(WaveType type)
    {
        var start = _position;
        var word = Word();
        switch (word)
        {
            case "nan":
                return double.NaN;
            case "inf":
                return double.PositiveInfinity;
            case "-inf":
                return double.NegativeInfinity;
        }

        if (!IsDecimal(word))
        {
            throw ExpectedAt(start, $"{type} (a decimal number, nan, inf or -inf)");
        }

        if (type.Kind == WaveKind.F32)
        {
            // Round once, straight to single precision, so printed f32 values read back exactly.
            var single = float.Parse(word, NumberStyles.Float, CultureInfo.InvariantCulture);
            return float.IsInfinity(single) ? throw ExpectedAt(start, "f32 within range") : single;
        }

        var value = double.Parse(word, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsInfinity(value) ? throw ExpectedAt(start, "f64 within range") : value;
    }

    private ComponentValue Char()
    {
        Expect('\'', "a char literal ('x')");
        var start = _position;
        if (Peek() == '\'')
        {
            throw ExpectedAt(start, "a character before the closing quote");
        }

        var rune = NextRune();
        if (Peek() != '\'')
        {
            throw ExpectedAt(_position, "closing ' of a char literal holding one character");
        }

        _position++;
        return ComponentValue.Char(rune);
    }

    private string String()
    {
        Expect('"', "a string literal (\"...\")");
        var text = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw ExpectedAt(_position, "closing \" of the string literal");
            }

            if (_text[_position] == '"')
            {
                _position++;
                return text.ToString();
            }

            text.Append(NextRune().ToString());
        }
    }

    // One character of a char or string literal, with its escape resolved.
    private Rune NextRune()
    {
        if (_position >= _text.Length)
        {
            throw ExpectedAt(_position, "a character");
        }

        var start = _position;
        if (_text[_position] != '\\')
        {
            if (Rune.DecodeFromUtf16(_text.AsSpan(_position), out var rune, out var used) != OperationStatus.Done)
            {
                throw new WaveFormatException(start, "invalid UTF-16 in literal");
            }

            if (rune.Value is < 0x20 and not '\t')
            {
                throw ExpectedAt(start, "an escape sequence for a control character");
            }

            _position += used;
            return rune;
        }

        _position++;
        var escape = _position < _text.Length ? _text[_position++] : '\0';
        switch (escape)
        {
            case '\\': return new Rune('\\');
            case '"': return new Rune('"');
            case '\'': return new Rune('\'');
            case 'n': return new Rune('\n');
            case 't': return new Rune('\t');
            case 'r': return new Rune('\r');
            case 'u':
                Expect('{', "{ after \\u");
                var digitsStart = _position;
                while (_position < _text.Length && Uri.IsHexDigit(_text[_position]))
                {
                    _position++;
                }

                var digits = _text[digitsStart.._position];
                if (digits.Length is 0 or > 6
                    || !int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                    || !Rune.IsValid(code))
                {
                    throw ExpectedAt(digitsStart, "a Unicode scalar value in hex (\\u{...})");
                }

                Expect('}', "} closing \\u{...}");
                return new Rune(code);
            default:
                throw ExpectedAt(start, "an escape: \\\\ \\\" \\' \\n \\t \\r or \\u{...}");
        }
    }

    private ComponentValue List(WaveType type)
    {
        Expect('[', $"[ starting a {type}");
        var items = new List<ComponentValue>();
        Sequence(']', () => items.Add(Value(type.Element!)));
        return ComponentValue.List(items);
    }

    private ComponentValue Tuple(WaveType type)
    {
        Expect('(', $"( starting a {type}");
        var items = new List<ComponentValue>();
        Sequence(')', () =>
        {
            if (items.Count == type.Items.Count)
            {
                throw ExpectedAt(_position, $") after {type.Items.Count} tuple elements");
            }

            items.Add(Value(type.Items[items.Count]));
        });
        if (items.Count != type.Items.Count)
        {
            throw ExpectedAt(_position - 1, $"{type.Items.Count} tuple elements, got {items.Count}");
        }

        return ComponentValue.Tuple(items);
    }

    private ComponentValue Record(WaveType type)
    {
        Expect('{', $"{{ starting a {type}");
        var values = new Dictionary<string, ComponentValue>(StringComparer.Ordinal);
        Sequence('}', () =>
        {
            var start = _position;
            var (name, _) = Label("a field name");
            var field = type.Fields.FirstOrDefault(f => f.Name == name)
                ?? throw ExpectedAt(start, "one of the fields " + string.Join(", ", type.Fields.Select(f => f.Name)));
            if (values.ContainsKey(name))
            {
                throw new WaveFormatException(start, $"field '{name}' is given twice");
            }

            SkipWhitespace();
            Expect(':', $": after field '{name}'");
            values[name] = Value(field.Type);
        });

        var fields = new List<KeyValuePair<string, ComponentValue>>(type.Fields.Count);
        foreach (var field in type.Fields)
        {
            if (!values.TryGetValue(field.Name, out var value))
            {
                value = field.Type.Kind == WaveKind.Option
                    ? ComponentValue.None()
                    : throw ExpectedAt(_position - 1, $"field '{field.Name}'");
            }

            fields.Add(new(field.Name, value));
        }

        return ComponentValue.Record(fields);
    }

    private ComponentValue Variant(WaveType type)
    {
        var start = _position;
        var (name, _) = Label("a variant case");
        var @case = type.Cases.FirstOrDefault(c => c.Name == name)
            ?? throw ExpectedAt(start, "one of the cases " + string.Join(", ", type.Cases.Select(c => c.Name)));
        return ComponentValue.Variant(name, Payload(@case.Payload, name));
    }

    private ComponentValue Enum(WaveType type)
    {
        var start = _position;
        var (name, _) = Label("an enum case");
        return type.Names.Contains(name)
            ? ComponentValue.Enum(name)
            : throw ExpectedAt(start, "one of the cases " + string.Join(", ", type.Names));
    }

    private ComponentValue Option(WaveType type)
    {
        var start = _position;
        var inner = type.Element!;
        if (IsLabelStart())
        {
            var (label, escaped) = Label("some(...) or none");
            if (!escaped && label == "some")
            {
                return ComponentValue.Some(Payload(inner, label)!);
            }

            if (!escaped && label == "none")
            {
                return ComponentValue.None();
            }

            _position = start;
        }

        if (inner.Kind is WaveKind.Option or WaveKind.Result)
        {
            throw ExpectedAt(start, "some(...) or none");
        }

        return ComponentValue.Some(Value(inner));
    }

    private ComponentValue Result(WaveType type)
    {
        var start = _position;
        var (label, escaped) = Label("ok or err");
        return (label, escaped) switch
        {
            ("ok", false) => ComponentValue.Ok(Payload(type.Ok, label)),
            ("err", false) => ComponentValue.Err(Payload(type.Err, label)),
            _ => throw ExpectedAt(start, "ok or err"),
        };
    }

    private ComponentValue Flags(WaveType type)
    {
        Expect('{', $"{{ starting a {type}");
        var names = new List<string>();
        Sequence('}', () =>
        {
            var start = _position;
            var (name, _) = Label("a flag name");
            if (!type.Names.Contains(name))
            {
                throw ExpectedAt(start, "one of the flags " + string.Join(", ", type.Names));
            }

            if (names.Contains(name))
            {
                throw new WaveFormatException(start, $"flag '{name}' is given twice");
            }

            names.Add(name);
        });

        // Flags are a set: keep the type's declaration order whatever order the text used.
        return ComponentValue.Flags(type.Names.Where(names.Contains).ToList());
    }

    // The optional "(payload)" after a case label, checked against whether the case carries one.
    private ComponentValue? Payload(WaveType? payloadType, string label)
    {
        var start = _position;
        SkipWhitespace();
        if (Peek() != '(')
        {
            _position = start;
            return payloadType is null ? null : throw ExpectedAt(start, $"( with the payload of '{label}'");
        }

        if (payloadType is null)
        {
            throw new WaveFormatException(_position, $"'{label}' takes no payload");
        }

        _position++;
        var payload = Value(payloadType);
        SkipWhitespace();
        Expect(')', $") closing the payload of '{label}'");
        return payload;
    }

    // Comma-separated items up to the closing character; a trailing comma is allowed.
    private void Sequence(char close, Action item)
    {
        while (true)
        {
            SkipWhitespace();
            if (Peek() == close)
            {
                _position++;
                return;
            }

            item();
            SkipWhitespace();
            if (Peek() == ',')
            {
                _position++;
            }
            else if (Peek() != close)
            {
                throw Expected($", or {close}");
            }
        }
    }

    // A label: kebab-case words, optionally escaped with a leading %.
    private (string Name, bool Escaped) Label(string what)
    {
        SkipWhitespace();
        var start = _position;
        var escaped = Peek() == '%';
        if (escaped)
        {
            _position++;
        }

        var nameStart = _position;
        if (!char.IsAsciiLetter(Peek()))
        {
            throw ExpectedAt(start, what);
        }

        while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] == '-'))
        {
            _position++;
        }

        return (_text[nameStart.._position], escaped);
    }

    private bool IsLabelStart() => Peek() == '%' || char.IsAsciiLetter(Peek());

    // A run of characters that can make up a number, so errors can show the whole token.
    private string Word()
    {
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position])
            || _text[_position] is '-' or '+' or '.' or '_'))
        {
            _position++;
        }

        return _text[start.._position];
    }

    private static bool IsInteger(string word)
    {
        var digits = word.StartsWith('-') ? word.AsSpan(1) : word.AsSpan();
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    // -?digits(.digits)?([eE][+-]?digits)?
    private static bool IsDecimal(string word)
    {
        var i = word.StartsWith('-') ? 1 : 0;
        var digits = Digits(word, ref i);
        if (digits == 0)
        {
            return false;
        }

        if (i < word.Length && word[i] == '.')
        {
            i++;
            if (Digits(word, ref i) == 0)
            {
                return false;
            }
        }

        if (i < word.Length && word[i] is 'e' or 'E')
        {
            i++;
            if (i < word.Length && word[i] is '+' or '-')
            {
                i++;
            }

            if (Digits(word, ref i) == 0)
            {
                return false;
            }
        }

        return i == word.Length;
    }

    private static int Digits(string word, ref int i)
    {
        var start = i;
        while (i < word.Length && char.IsAsciiDigit(word[i]))
        {
            i++;
        }

        return i - start;
    }

    private void Expect(char expected, string what)
    {
        SkipWhitespace();
        if (Peek() != expected)
        {
            throw Expected(what);
        }

        _position++;
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r')
        {
            _position++;
        }
    }

    private WaveFormatException Expected(string what) => ExpectedAt(_position, what);

    private WaveFormatException ExpectedAt(int position, string what)
    {
        var found = position >= _text.Length ? "end of input" : $"'{Excerpt(position)}'";
        return new WaveFormatException(position, $"expected {what}, found {found}");
    }

    private string Excerpt(int position)
    {
        var rest = _text.AsSpan(position);
        var end = rest.IndexOfAny(TokenEnds);
        var token = end < 0 ? rest : end == 0 ? rest[..1] : rest[..end];
        return token.Length > 20 ? token[..20].ToString() + "..." : token.ToString();
    }
}
