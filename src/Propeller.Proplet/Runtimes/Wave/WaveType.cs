namespace Propeller.Proplet.Runtimes.Wave;

/// <summary>
/// A component value type, as WAVE text is parsed against it. Only the members that belong to
/// <see cref="Kind"/> are set: <see cref="Element"/> for lists and options, <see cref="Fields"/> for records,
/// <see cref="Items"/> for tuples, <see cref="Cases"/> for variants, <see cref="Names"/> for enums and flags,
/// <see cref="Ok"/> and <see cref="Err"/> (each optional) for results.
/// </summary>
internal sealed record WaveType
{
    private WaveType(WaveKind kind) => Kind = kind;

    public WaveKind Kind { get; }

    public WaveType? Element { get; private init; }

    public IReadOnlyList<WaveField> Fields { get; private init; } = [];

    public IReadOnlyList<WaveType> Items { get; private init; } = [];

    public IReadOnlyList<WaveCase> Cases { get; private init; } = [];

    public IReadOnlyList<string> Names { get; private init; } = [];

    public WaveType? Ok { get; private init; }

    public WaveType? Err { get; private init; }

    public static WaveType Primitive(WaveKind kind) => kind switch
    {
        WaveKind.List or WaveKind.Record or WaveKind.Tuple or WaveKind.Variant or WaveKind.Enum
            or WaveKind.Option or WaveKind.Result or WaveKind.Flags =>
            throw new ArgumentException($"{kind} is not a primitive type.", nameof(kind)),
        _ => new WaveType(kind),
    };

    public static WaveType List(WaveType element) => new(WaveKind.List) { Element = element };

    public static WaveType Option(WaveType element) => new(WaveKind.Option) { Element = element };

    public static WaveType Record(IReadOnlyList<WaveField> fields) => new(WaveKind.Record) { Fields = fields };

    public static WaveType Tuple(IReadOnlyList<WaveType> items) => new(WaveKind.Tuple) { Items = items };

    public static WaveType Variant(IReadOnlyList<WaveCase> cases) => new(WaveKind.Variant) { Cases = cases };

    public static WaveType Enum(IReadOnlyList<string> names) => new(WaveKind.Enum) { Names = names };

    public static WaveType Flags(IReadOnlyList<string> names) => new(WaveKind.Flags) { Names = names };

    public static WaveType Result(WaveType? ok, WaveType? err) => new(WaveKind.Result) { Ok = ok, Err = err };

    /// <summary>WIT-like spelling, used in error messages: <c>list&lt;string&gt;</c>, <c>option&lt;u8&gt;</c>.</summary>
    public override string ToString() => Kind switch
    {
        WaveKind.List => $"list<{Element}>",
        WaveKind.Option => $"option<{Element}>",
        WaveKind.Record => "record {" + string.Join(", ", Fields.Select(f => $"{f.Name}: {f.Type}")) + "}",
        WaveKind.Tuple => "tuple<" + string.Join(", ", Items) + ">",
        WaveKind.Variant => "variant {" + string.Join(", ", Cases.Select(c =>
            c.Payload is null ? c.Name : $"{c.Name}({c.Payload})")) + "}",
        WaveKind.Enum => "enum {" + string.Join(", ", Names) + "}",
        WaveKind.Flags => "flags {" + string.Join(", ", Names) + "}",
        WaveKind.Result => $"result<{Ok?.ToString() ?? "_"}, {Err?.ToString() ?? "_"}>",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
