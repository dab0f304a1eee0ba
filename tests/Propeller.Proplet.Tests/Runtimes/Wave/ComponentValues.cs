using Wasmtime.Components;

namespace Propeller.Proplet.Tests.Runtimes.Wave;

/// <summary>Structural equality of component values (the binding's type has reference equality only).</summary>
internal static class ComponentValues
{
    public static bool AreEqual(ComponentValue? a, ComponentValue? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.Kind != b.Kind)
        {
            return false;
        }

        return a.Kind switch
        {
            ComponentValueKind.Bool => a.AsBool() == b.AsBool(),
            ComponentValueKind.F32 => a.AsF32().Equals(b.AsF32()) && float.IsNegative(a.AsF32()) == float.IsNegative(b.AsF32()),
            ComponentValueKind.F64 => a.AsF64().Equals(b.AsF64()) && double.IsNegative(a.AsF64()) == double.IsNegative(b.AsF64()),
            ComponentValueKind.Char => a.AsChar() == b.AsChar(),
            ComponentValueKind.String => a.AsString() == b.AsString(),
            ComponentValueKind.Enum => a.AsEnum() == b.AsEnum(),
            ComponentValueKind.List => Items(a.AsList(), b.AsList()),
            ComponentValueKind.Tuple => Items(a.AsTuple(), b.AsTuple()),
            ComponentValueKind.Record => a.AsRecord().Count == b.AsRecord().Count
                && a.AsRecord().Zip(b.AsRecord()).All(p => p.First.Key == p.Second.Key && AreEqual(p.First.Value, p.Second.Value)),
            ComponentValueKind.Variant => a.AsVariant() == b.AsVariant() && AreEqual(a.Payload, b.Payload),
            ComponentValueKind.Option => a.IsSome == b.IsSome && AreEqual(a.Payload, b.Payload),
            ComponentValueKind.Result => a.IsOk == b.IsOk && AreEqual(a.Payload, b.Payload),
            ComponentValueKind.Flags => a.AsFlags().SequenceEqual(b.AsFlags()),
            ComponentValueKind.S8 => a.AsS8() == b.AsS8(),
            ComponentValueKind.S16 => a.AsS16() == b.AsS16(),
            ComponentValueKind.S32 => a.AsS32() == b.AsS32(),
            ComponentValueKind.S64 => a.AsS64() == b.AsS64(),
            ComponentValueKind.U8 => a.AsU8() == b.AsU8(),
            ComponentValueKind.U16 => a.AsU16() == b.AsU16(),
            ComponentValueKind.U32 => a.AsU32() == b.AsU32(),
            ComponentValueKind.U64 => a.AsU64() == b.AsU64(),
            _ => throw new NotSupportedException($"cannot compare {a.Kind} values"),
        };
    }

    private static bool Items(IReadOnlyList<ComponentValue> a, IReadOnlyList<ComponentValue> b) =>
        a.Count == b.Count && a.Zip(b).All(p => AreEqual(p.First, p.Second));
}
