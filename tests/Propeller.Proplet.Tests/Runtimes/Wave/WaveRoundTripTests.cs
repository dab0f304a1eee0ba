using System.Text;
using Propeller.Proplet.Runtimes.Wave;
using Wasmtime.Components;

namespace Propeller.Proplet.Tests.Runtimes.Wave;

/// <summary>parse(print(v)) == v over generated types and values; seeded, so every run checks the same cases.</summary>
public sealed class WaveRoundTripTests
{
    private const int Cases = 1500;

    private static readonly WaveKind[] Primitives =
    [
        WaveKind.Bool, WaveKind.S8, WaveKind.S16, WaveKind.S32, WaveKind.S64, WaveKind.U8, WaveKind.U16,
        WaveKind.U32, WaveKind.U64, WaveKind.F32, WaveKind.F64, WaveKind.Char, WaveKind.String,
    ];

    private static readonly string[] Labels = ["a", "b-c", "none", "ok", "x1", "long-name-here", "true", "err"];

    [Fact]
    public void ParsePrint_GeneratedNestedValues_RoundTrip()
    {
        var random = new Random(20260305);
        var deep = 0;
        for (var i = 0; i < Cases; i++)
        {
            var type = RandomType(random, depth: 0);
            deep += Depth(type) >= 3 ? 1 : 0;
            var value = RandomValue(random, type);
            var text = WavePrinter.Print(value);
            var parsed = WaveParser.Parse(text, type);
            Assert.True(ComponentValues.AreEqual(value, parsed), $"case {i}: {type} printed as {text} read back differently");
            Assert.Equal(text, WavePrinter.Print(parsed));
        }

        // The generator must really produce nested types, or the test proves little.
        Assert.True(deep > Cases / 10, $"only {deep} types nested three deep");
    }

    [Fact]
    public void Parse_MutatedText_FailsOnlyWithFormatErrors()
    {
        // Task inputs come from the network: damaged text must give a WAVE error, never another exception.
        var random = new Random(7);
        const string Noise = "[](){},:'\"\\%-+.0123456789eE naoksrtuf{}\\u{";
        var rejected = 0;
        for (var i = 0; i < Cases; i++)
        {
            var type = RandomType(random, depth: 0);
            var text = new StringBuilder(WavePrinter.Print(RandomValue(random, type)));
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(text.Length + 1);
                switch (random.Next(3))
                {
                    case 0 when at < text.Length:
                        text.Remove(at, 1);
                        break;
                    case 1:
                        text.Insert(at, Noise[random.Next(Noise.Length)]);
                        break;
                    default:
                        if (at < text.Length)
                        {
                            text[at] = Noise[random.Next(Noise.Length)];
                        }

                        break;
                }
            }

            try
            {
                WaveParser.Parse(text.ToString(), type);
            }
            catch (WaveFormatException)
            {
                rejected++;
            }
        }

        Assert.True(rejected > Cases / 2, $"only {rejected} of {Cases} damaged texts were rejected");
    }

    private static int Depth(WaveType type) => 1 + new[]
    {
        type.Element is null ? 0 : Depth(type.Element),
        type.Ok is null ? 0 : Depth(type.Ok),
        type.Err is null ? 0 : Depth(type.Err),
        type.Fields.Select(f => Depth(f.Type)).DefaultIfEmpty().Max(),
        type.Items.Select(Depth).DefaultIfEmpty().Max(),
        type.Cases.Select(c => c.Payload is null ? 0 : Depth(c.Payload)).DefaultIfEmpty().Max(),
    }.Max();

    private static WaveType RandomType(Random random, int depth)
    {
        // The outermost type is always compound; deeper levels mix in primitives, and level 3 is all primitive.
        var choice = depth == 0 ? random.Next(13, 21) : random.Next(depth >= 3 ? 0 : 21);
        if (choice < 13)
        {
            return WaveType.Primitive(Primitives[depth >= 3 ? random.Next(Primitives.Length) : choice]);
        }

        return choice switch
        {
            13 => WaveType.List(RandomType(random, depth + 1)),
            14 => WaveType.Record(DistinctLabels(random).Select(l => new WaveField(l, RandomType(random, depth + 1))).ToList()),
            15 => WaveType.Tuple(Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomType(random, depth + 1)).ToList()),
            16 => WaveType.Variant(DistinctLabels(random)
                .Select(l => new WaveCase(l, random.Next(2) == 0 ? null : RandomType(random, depth + 1))).ToList()),
            17 => WaveType.Enum(DistinctLabels(random)),
            18 => WaveType.Option(RandomType(random, depth + 1)),
            19 => WaveType.Result(
                random.Next(3) == 0 ? null : RandomType(random, depth + 1),
                random.Next(3) == 0 ? null : RandomType(random, depth + 1)),
            _ => WaveType.Flags(DistinctLabels(random)),
        };
    }

    private static List<string> DistinctLabels(Random random) =>
        Labels.OrderBy(_ => random.Next()).Take(random.Next(1, 5)).ToList();

    private static ComponentValue RandomValue(Random random, WaveType type) => type.Kind switch
    {
        WaveKind.Bool => ComponentValue.Bool(random.Next(2) == 0),
        WaveKind.S8 => ComponentValue.S8((sbyte)random.Next(sbyte.MinValue, sbyte.MaxValue + 1)),
        WaveKind.S16 => ComponentValue.S16((short)random.Next(short.MinValue, short.MaxValue + 1)),
        WaveKind.S32 => ComponentValue.S32(Edge(random, int.MinValue, int.MaxValue, random.Next())),
        WaveKind.S64 => ComponentValue.S64(Edge(random, long.MinValue, long.MaxValue, random.NextInt64(long.MinValue, long.MaxValue))),
        WaveKind.U8 => ComponentValue.U8((byte)random.Next(256)),
        WaveKind.U16 => ComponentValue.U16((ushort)random.Next(65536)),
        WaveKind.U32 => ComponentValue.U32((uint)random.NextInt64(uint.MaxValue + 1L)),
        WaveKind.U64 => ComponentValue.U64(Edge(random, ulong.MinValue, ulong.MaxValue, (ulong)random.NextInt64() * 2)),
        WaveKind.F32 => ComponentValue.F32(RandomFloat(random)),
        WaveKind.F64 => ComponentValue.F64(RandomDouble(random)),
        WaveKind.Char => ComponentValue.Char(RandomRune(random)),
        WaveKind.String => ComponentValue.String(RandomString(random)),
        WaveKind.List => ComponentValue.List(Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, type.Element!)).ToList()),
        WaveKind.Record => ComponentValue.Record(type.Fields
            .Select(f => new KeyValuePair<string, ComponentValue>(f.Name, RandomValue(random, f.Type))).ToList()),
        WaveKind.Tuple => ComponentValue.Tuple(type.Items.Select(t => RandomValue(random, t)).ToList()),
        WaveKind.Variant => RandomCase(random, type.Cases[random.Next(type.Cases.Count)]),
        WaveKind.Enum => ComponentValue.Enum(type.Names[random.Next(type.Names.Count)]),
        WaveKind.Option => random.Next(3) == 0 ? ComponentValue.None() : ComponentValue.Some(RandomValue(random, type.Element!)),
        WaveKind.Result => random.Next(2) == 0
            ? ComponentValue.Ok(type.Ok is null ? null : RandomValue(random, type.Ok))
            : ComponentValue.Err(type.Err is null ? null : RandomValue(random, type.Err)),
        _ => ComponentValue.Flags(type.Names.Where(_ => random.Next(2) == 0).ToList()),
    };

    private static ComponentValue RandomCase(Random random, WaveCase @case) =>
        ComponentValue.Variant(@case.Name, @case.Payload is null ? null : RandomValue(random, @case.Payload));

    private static T Edge<T>(Random random, T min, T max, T other) => random.Next(8) switch
    {
        0 => min,
        1 => max,
        _ => other,
    };

    private static float RandomFloat(Random random) => random.Next(10) switch
    {
        0 => float.NaN,
        1 => float.PositiveInfinity,
        2 => float.NegativeInfinity,
        3 => -0f,
        4 => float.Epsilon,
        5 => float.MaxValue,
        _ => BitConverter.Int32BitsToSingle(random.Next()) is var f && float.IsFinite(f) ? f : 1.25f,
    };

    private static double RandomDouble(Random random) => random.Next(10) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => double.NegativeInfinity,
        3 => -0d,
        4 => double.Epsilon,
        5 => double.MinValue,
        _ => BitConverter.Int64BitsToDouble(random.NextInt64()) is var d && double.IsFinite(d) ? d : 0.1,
    };

    private static Rune RandomRune(Random random)
    {
        while (true)
        {
            var candidate = random.Next(4) switch
            {
                0 => random.Next(0x20),
                1 => "'\"\\\n\t\r"[random.Next(6)],
                2 => random.Next(0x20, 0x7f),
                _ => random.Next(0x110000),
            };
            if (Rune.IsValid(candidate))
            {
                return new Rune(candidate);
            }
        }
    }

    private static string RandomString(Random random)
    {
        var text = new StringBuilder();
        for (var i = random.Next(8); i > 0; i--)
        {
            text.Append(RandomRune(random).ToString());
        }

        return text.ToString();
    }
}
