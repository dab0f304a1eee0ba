using Propeller.Proplet.Runtimes.Wave;
using Wasmtime.Components;

namespace Propeller.Proplet.Tests.Runtimes.Wave;

public sealed class WavePrinterTests
{
    [Fact]
    public void Print_String_QuotesAndEscapes()
    {
        Assert.Equal("\"Hello, world!\"", WavePrinter.Print(ComponentValue.String("Hello, world!")));
        Assert.Equal(@"""a\nb\t\""c\\ \u{7}""", WavePrinter.Print(ComponentValue.String("a\nb\t\"c\\ \a")));
    }

    [Fact]
    public void Print_Char_QuotesAndEscapesQuote()
    {
        Assert.Equal("'x'", WavePrinter.Print(ComponentValue.Char('x')));
        Assert.Equal(@"'\''", WavePrinter.Print(ComponentValue.Char('\'')));
    }

    [Theory]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(0.1, "0.1")]
    [InlineData(30d, "30")]
    public void Print_F64_UsesWaveSpelling(double value, string expected) =>
        Assert.Equal(expected, WavePrinter.Print(ComponentValue.F64(value)));

    [Fact]
    public void Print_Integers_UseTheirOwnRange()
    {
        Assert.Equal("18446744073709551615", WavePrinter.Print(ComponentValue.U64(ulong.MaxValue)));
        Assert.Equal("-128", WavePrinter.Print(ComponentValue.S8(sbyte.MinValue)));
        Assert.Equal("4294967295", WavePrinter.Print(ComponentValue.U32(uint.MaxValue)));
    }

    [Fact]
    public void Print_Compound_IsCanonical()
    {
        var value = ComponentValue.Record([
            new("items", ComponentValue.List([ComponentValue.S32(1), ComponentValue.S32(2)])),
            new("pair", ComponentValue.Tuple([ComponentValue.Bool(true), ComponentValue.None()])),
            new("shape", ComponentValue.Variant("circle", ComponentValue.F32(1.5f))),
            new("color", ComponentValue.Enum("light-green")),
            new("maybe", ComponentValue.Some(ComponentValue.U8(3))),
            new("outcome", ComponentValue.Err(null)),
            new("done", ComponentValue.Ok(ComponentValue.String("y"))),
            new("perms", ComponentValue.Flags(["read", "exec"])),
        ]);

        Assert.Equal(
            "{items: [1, 2], pair: (true, none), shape: circle(1.5), color: light-green, maybe: some(3), " +
            "outcome: err, done: ok(\"y\"), perms: {read, exec}}",
            WavePrinter.Print(value));
    }

    [Fact]
    public void Print_KeywordLabels_AreEscaped()
    {
        Assert.Equal("%none", WavePrinter.Print(ComponentValue.Enum("none")));
        Assert.Equal("%ok(1)", WavePrinter.Print(ComponentValue.Variant("ok", ComponentValue.U8(1))));
    }
}
