using Propeller.Proplet.Runtimes.Wave;
using Wasmtime.Components;

namespace Propeller.Proplet.Tests.Runtimes.Wave;

public sealed class WaveParserTests
{
    private static readonly WaveType S32 = WaveType.Primitive(WaveKind.S32);
    private static readonly WaveType U8 = WaveType.Primitive(WaveKind.U8);
    private static readonly WaveType Str = WaveType.Primitive(WaveKind.String);
    private static readonly WaveType F64 = WaveType.Primitive(WaveKind.F64);

    [Theory]
    [InlineData("true", true)]
    [InlineData(" false ", false)]
    public void Parse_Bool_ReadsKeyword(string text, bool expected) =>
        Assert.Equal(expected, WaveParser.Parse(text, WaveType.Primitive(WaveKind.Bool)).AsBool());

    [Theory]
    [InlineData((int)WaveKind.S8, "-128", -128L)]
    [InlineData((int)WaveKind.S16, "32767", 32767L)]
    [InlineData((int)WaveKind.S32, "-2147483648", -2147483648L)]
    [InlineData((int)WaveKind.S64, "-9223372036854775808", long.MinValue)]
    public void Parse_SignedIntegers_ReadsFullRange(int kindNumber, string text, long expected)
    {
        var kind = (WaveKind)kindNumber;
        var value = WaveParser.Parse(text, WaveType.Primitive(kind));
        Assert.Equal(expected, kind switch
        {
            WaveKind.S8 => value.AsS8(),
            WaveKind.S16 => value.AsS16(),
            WaveKind.S32 => value.AsS32(),
            _ => value.AsS64(),
        });
    }

    [Fact]
    public void Parse_U64Max_ReadsExactly() =>
        Assert.Equal(ulong.MaxValue, WaveParser.Parse("18446744073709551615", WaveType.Primitive(WaveKind.U64)).AsU64());

    [Theory]
    [InlineData("256")]
    [InlineData("-1")]
    [InlineData("1.0")]
    [InlineData("+1")]
    [InlineData("0x10")]
    public void Parse_U8OutOfRangeOrMalformed_FailsNamingTypeAndOffset(string text)
    {
        var error = Assert.Throws<WaveFormatException>(() => WaveParser.Parse(text, U8));
        Assert.Contains("expected u8 (an integer from 0 to 255)", error.Message, StringComparison.Ordinal);
        Assert.Contains("at offset 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nan", double.NaN)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    [InlineData("1.5e3", 1500d)]
    [InlineData("-0.25", -0.25)]
    [InlineData("7", 7d)]
    public void Parse_Floats_ReadsSpecialAndDecimalValues(string text, double expected) =>
        Assert.Equal(expected, WaveParser.Parse(text, F64).AsF64());

    [Theory]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("NaN")]
    [InlineData("1e400")]
    public void Parse_MalformedFloat_Fails(string text) =>
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse(text, F64));

    [Theory]
    [InlineData("'x'", 'x')]
    [InlineData(@"'\''", '\'')]
    [InlineData(@"'\n'", '\n')]
    [InlineData(@"'\u{41}'", 'A')]
    [InlineData("'\"'", '"')]
    public void Parse_Char_ResolvesEscapes(string text, char expected) =>
        Assert.Equal(expected, (char)WaveParser.Parse(text, WaveType.Primitive(WaveKind.Char)).AsChar());

    [Fact]
    public void Parse_CharOutsideBasicPlane_ReadsOneScalar() =>
        Assert.Equal(0x1F600u, WaveParser.Parse("'😀'", WaveType.Primitive(WaveKind.Char)).AsChar());

    [Theory]
    [InlineData("''")]
    [InlineData("'ab'")]
    [InlineData("x")]
    public void Parse_BadChar_Fails(string text) =>
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse(text, WaveType.Primitive(WaveKind.Char)));

    [Fact]
    public void Parse_StringWithEveryEscape_ResolvesThem() =>
        Assert.Equal("a\n\t\\\"'\r☃z", WaveParser.Parse(@"""a\n\t\\\""\'\r\u{2603}z""", Str).AsString());

    [Fact]
    public void Parse_UnquotedString_FailsNamingExpectation()
    {
        var error = Assert.Throws<WaveFormatException>(() => WaveParser.Parse("world", Str));
        Assert.Equal("expected a string literal (\"...\"), found 'world' at offset 0", error.Message);
        Assert.Equal(0, error.Position);
    }

    [Theory]
    [InlineData("\"abc")]
    [InlineData(@"""\q""")]
    [InlineData(@"""\u{d800}""")]
    [InlineData("\"a\"b")]
    public void Parse_BadString_Fails(string text) =>
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse(text, Str));

    [Fact]
    public void Parse_ListWithTrailingCommaAndWhitespace_ReadsItems()
    {
        var value = WaveParser.Parse("[ 1, 2 ,3, ]", WaveType.List(S32));
        Assert.Equal([1, 2, 3], value.AsList().Select(v => v.AsS32()));
    }

    [Fact]
    public void Parse_EmptyList_ReadsNoItems() => Assert.Empty(WaveParser.Parse("[]", WaveType.List(S32)).AsList());

    [Fact]
    public void Parse_ListMissingComma_FailsAtOffset()
    {
        var error = Assert.Throws<WaveFormatException>(() => WaveParser.Parse("[1 2]", WaveType.List(S32)));
        Assert.Equal(3, error.Position);
        Assert.Contains("expected , or ]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RecordInAnyOrderWithOmittedOption_FillsDeclarationOrderAndNone()
    {
        var type = WaveType.Record([new("name", Str), new("age", U8), new("nick", WaveType.Option(Str))]);
        var value = WaveParser.Parse("{age: 7, name: \"Ann\"}", type);
        var fields = value.AsRecord();
        Assert.Equal(["name", "age", "nick"], fields.Select(f => f.Key));
        Assert.Equal("Ann", fields[0].Value.AsString());
        Assert.Equal(7, fields[1].Value.AsU8());
        Assert.False(fields[2].Value.IsSome);
    }

    [Fact]
    public void Parse_RecordMissingRequiredField_FailsNamingIt()
    {
        var type = WaveType.Record([new("a", U8), new("b", U8)]);
        var error = Assert.Throws<WaveFormatException>(() => WaveParser.Parse("{a: 1}", type));
        Assert.Contains("field 'b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RecordUnknownField_FailsListingFields()
    {
        var type = WaveType.Record([new("a", U8)]);
        var error = Assert.Throws<WaveFormatException>(() => WaveParser.Parse("{z: 1}", type));
        Assert.Contains("one of the fields a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Tuple_ReadsPositionalValues()
    {
        var value = WaveParser.Parse("(1, \"x\")", WaveType.Tuple([S32, Str]));
        Assert.Equal(1, value.AsTuple()[0].AsS32());
        Assert.Equal("x", value.AsTuple()[1].AsString());
    }

    [Fact]
    public void Parse_TupleWithWrongArity_Fails() =>
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse("(1)", WaveType.Tuple([S32, S32])));

    [Fact]
    public void Parse_VariantCases_ReadsPayloadAndBareCase()
    {
        var type = WaveType.Variant([new("circle", F64), new("empty", null), new("some", null)]);
        var circle = WaveParser.Parse("circle(2.5)", type);
        Assert.Equal("circle", circle.AsVariant());
        Assert.Equal(2.5, circle.Payload!.AsF64());
        Assert.Null(WaveParser.Parse("empty", type).Payload);
        Assert.Equal("some", WaveParser.Parse("%some", type).AsVariant());
    }

    [Fact]
    public void Parse_VariantPayloadMismatch_Fails()
    {
        var type = WaveType.Variant([new("circle", F64), new("empty", null)]);
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse("circle", type));
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse("empty(1)", type));
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse("square(1)", type));
    }

    [Fact]
    public void Parse_Enum_ReadsCaseAndRejectsOthers()
    {
        var type = WaveType.Enum(["red", "light-green"]);
        Assert.Equal("light-green", WaveParser.Parse("light-green", type).AsEnum());
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse("blue", type));
    }

    [Fact]
    public void Parse_Option_ReadsSomeNoneAndShorthand()
    {
        var type = WaveType.Option(S32);
        Assert.Equal(5, WaveParser.Parse("some(5)", type).Payload!.AsS32());
        Assert.False(WaveParser.Parse("none", type).IsSome);
        var shorthand = WaveParser.Parse("5", type);
        Assert.True(shorthand.IsSome);
        Assert.Equal(5, shorthand.Payload!.AsS32());
    }

    [Fact]
    public void Parse_NestedOptionWithoutSome_FailsAsAmbiguous() =>
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse("5", WaveType.Option(WaveType.Option(S32))));

    [Fact]
    public void Parse_Result_ReadsAllFourForms()
    {
        var full = WaveType.Result(S32, Str);
        Assert.True(WaveParser.Parse("ok(1)", full).IsOk);
        Assert.Equal("bad", WaveParser.Parse("err(\"bad\")", full).Payload!.AsString());
        var empty = WaveType.Result(null, null);
        Assert.True(WaveParser.Parse("ok", empty).IsOk);
        Assert.False(WaveParser.Parse("err", empty).IsOk);
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse("ok(1)", empty));
    }

    [Fact]
    public void Parse_Flags_ReadsSetInDeclarationOrder()
    {
        var type = WaveType.Flags(["read", "write", "exec"]);
        Assert.Equal(["read", "exec"], WaveParser.Parse("{exec, read}", type).AsFlags());
        Assert.Empty(WaveParser.Parse("{}", type).AsFlags());
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse("{read, read}", type));
        Assert.Throws<WaveFormatException>(() => WaveParser.Parse("{delete}", type));
    }

    [Fact]
    public void Parse_TrailingGarbage_FailsAtItsOffset()
    {
        var error = Assert.Throws<WaveFormatException>(() => WaveParser.Parse("1 2", S32));
        Assert.Equal(2, error.Position);
        Assert.Contains("expected end of input", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeepNesting_FailsInsteadOfOverflowing()
    {
        var type = S32;
        for (var i = 0; i < 200; i++)
        {
            type = WaveType.List(type);
        }

        var text = new string('[', 200) + new string(']', 200);
        var error = Assert.Throws<WaveFormatException>(() => WaveParser.Parse(text, type));
        Assert.Contains("nested deeper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyInput_FailsAtEnd()
    {
        var error = Assert.Throws<WaveFormatException>(() => WaveParser.Parse("", S32));
        Assert.Contains("found end of input", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Value_ReturnsBindingValueOfRightKind() =>
        Assert.Equal(ComponentValueKind.U8, WaveParser.Parse("3", U8).Kind);
}
