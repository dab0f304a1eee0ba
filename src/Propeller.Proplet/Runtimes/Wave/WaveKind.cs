namespace Propeller.Proplet.Runtimes.Wave;

/// <summary>The component-model value types WAVE can encode.</summary>
internal enum WaveKind
{
    Bool,
    S8,
    S16,
    S32,
    S64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    Char,
    String,
    List,
    Record,
    Tuple,
    Variant,
    Enum,
    Option,
    Result,
    Flags,
}
