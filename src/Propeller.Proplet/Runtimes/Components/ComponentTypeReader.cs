using System.Text;
using Propeller.Proplet.Runtimes.Wave;
using Wasmtime;
using Wasmtime.Components;
using static Propeller.Proplet.Runtimes.Components.ComponentNative;

namespace Propeller.Proplet.Runtimes.Components;

/// <summary>
/// Reads a compiled component's export names and function types through Wasmtime's type C API, turning value types
/// into <see cref="WaveType"/> so task inputs can be parsed as WAVE against the real parameter types.
/// </summary>
internal static class ComponentTypeReader
{
    /// <summary>Every top-level export of the component, in order, with its kind.</summary>
    public static IReadOnlyList<KeyValuePair<string, ComponentExportKind>> Exports(Engine engine, Component component)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(component);
        return NativeHandles.With(engine, component, (engineHandle, componentHandle) =>
        {
            var type = wasmtime_component_type(componentHandle);
            try
            {
                var count = wasmtime_component_type_export_count(type, engineHandle);
                var exports = new List<KeyValuePair<string, ComponentExportKind>>((int)count);
                for (nuint i = 0; i < count; i++)
                {
                    if (!wasmtime_component_type_export_nth(type, engineHandle, i, out var name, out var length,
                            out var external))
                    {
                        continue;
                    }

                    try
                    {
                        exports.Add(new(ComponentNative.Name(name, length), KindOf(external)));
                    }
                    finally
                    {
                        wasmtime_component_extern_delete(external);
                    }
                }

                return (IReadOnlyList<KeyValuePair<string, ComponentExportKind>>)exports;
            }
            finally
            {
                wasmtime_component_type_delete(type);
            }
        });
    }

    /// <summary>
    /// The type of the function <paramref name="function"/>, exported at the top level (<paramref name="instance"/>
    /// null) or by the exported instance <paramref name="instance"/>; null when there is no such function.
    /// </summary>
    /// <exception cref="NotSupportedException">A parameter or the result has a type WAVE cannot express.</exception>
    public static ComponentFunctionSignature? Function(
        Engine engine, Component component, string? instance, string function)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(function);
        return NativeHandles.With(engine, component, (engineHandle, componentHandle) =>
        {
            var type = wasmtime_component_type(componentHandle);
            try
            {
                if (instance is null)
                {
                    return WithExport(type, engineHandle, function, top: true, FunctionOf);
                }

                return WithExport(type, engineHandle, instance, top: true, item => item.Kind == ItemInstance
                    ? WithExport(item.Of, engineHandle, function, top: false, FunctionOf)
                    : null);
            }
            finally
            {
                wasmtime_component_type_delete(type);
            }
        });
    }

    private static ComponentFunctionSignature? FunctionOf(Item item) =>
        item.Kind == ItemFunction ? Signature(item.Of) : null;

    // Looks an export up by name in a component type (top) or an instance type and hands its item to use.
    private static T? WithExport<T>(IntPtr type, IntPtr engine, string name, bool top, Func<Item, T?> use)
        where T : class
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var found = top
            ? wasmtime_component_type_export_get(type, engine, bytes, (nuint)bytes.Length, out var external)
            : wasmtime_component_instance_type_export_get(type, engine, bytes, (nuint)bytes.Length, out external);
        if (!found)
        {
            return null;
        }

        try
        {
            wasmtime_component_extern_type(external, out var item);
            try
            {
                return use(item);
            }
            finally
            {
                wasmtime_component_item_delete(ref item);
            }
        }
        finally
        {
            wasmtime_component_extern_delete(external);
        }
    }

    private static ComponentExportKind KindOf(IntPtr external)
    {
        wasmtime_component_extern_type(external, out var item);
        try
        {
            return item.Kind switch
            {
                ItemFunction => ComponentExportKind.Function,
                ItemInstance => ComponentExportKind.Instance,
                _ => ComponentExportKind.Other,
            };
        }
        finally
        {
            wasmtime_component_item_delete(ref item);
        }
    }

    private static ComponentFunctionSignature Signature(IntPtr functionType)
    {
        var count = wasmtime_component_func_type_param_count(functionType);
        var parameters = new List<ComponentParameter>((int)count);
        for (nuint i = 0; i < count; i++)
        {
            if (wasmtime_component_func_type_param_nth(functionType, i, out var name, out var length, out var type))
            {
                parameters.Add(new(ComponentNative.Name(name, length), Take(ref type)));
            }
        }

        var result = wasmtime_component_func_type_result(functionType, out var resultType) ? Take(ref resultType) : null;
        return new ComponentFunctionSignature(parameters, result);
    }

    // Converts a value type written by the C API and deletes it.
    private static WaveType Take(ref ValType type)
    {
        try
        {
            return Convert(type);
        }
        finally
        {
            wasmtime_component_valtype_delete(ref type);
        }
    }

    private static WaveType Convert(ValType type) => type.Kind switch
    {
        0 => WaveType.Primitive(WaveKind.Bool),
        1 => WaveType.Primitive(WaveKind.S8),
        2 => WaveType.Primitive(WaveKind.S16),
        3 => WaveType.Primitive(WaveKind.S32),
        4 => WaveType.Primitive(WaveKind.S64),
        5 => WaveType.Primitive(WaveKind.U8),
        6 => WaveType.Primitive(WaveKind.U16),
        7 => WaveType.Primitive(WaveKind.U32),
        8 => WaveType.Primitive(WaveKind.U64),
        9 => WaveType.Primitive(WaveKind.F32),
        10 => WaveType.Primitive(WaveKind.F64),
        11 => WaveType.Primitive(WaveKind.Char),
        12 => WaveType.Primitive(WaveKind.String),
        13 => WaveType.List(Element(type.Of, wasmtime_component_list_type_element)),
        14 => WaveType.Record(Fields(type.Of)),
        15 => WaveType.Tuple(TupleItems(type.Of)),
        16 => WaveType.Variant(Cases(type.Of)),
        17 => WaveType.Enum(Names(type.Of, wasmtime_component_enum_type_names_count,
            wasmtime_component_enum_type_names_nth)),
        18 => WaveType.Option(Element(type.Of, wasmtime_component_option_type_ty)),
        19 => WaveType.Result(Optional(type.Of, wasmtime_component_result_type_ok),
            Optional(type.Of, wasmtime_component_result_type_err)),
        20 => WaveType.Flags(Names(type.Of, wasmtime_component_flags_type_names_count,
            wasmtime_component_flags_type_names_nth)),
        21 => throw new NotSupportedException("own<resource> values cannot be written in WAVE"),
        22 => throw new NotSupportedException("borrow<resource> values cannot be written in WAVE"),
        23 => throw new NotSupportedException("future values cannot be written in WAVE"),
        24 => throw new NotSupportedException("stream values cannot be written in WAVE"),
        25 => throw new NotSupportedException("error-context values cannot be written in WAVE"),
        _ => throw new NotSupportedException($"component value type kind {type.Kind} is not supported"),
    };

    private delegate void ElementReader(IntPtr type, out ValType element);

    private delegate bool OptionalReader(IntPtr type, out ValType element);

    private delegate bool NameReader(IntPtr type, nuint nth, out IntPtr name, out nuint length);

    private static WaveType Element(IntPtr type, ElementReader read)
    {
        read(type, out var element);
        return Take(ref element);
    }

    private static WaveType? Optional(IntPtr type, OptionalReader read) =>
        read(type, out var element) ? Take(ref element) : null;

    private static List<WaveField> Fields(IntPtr type)
    {
        var count = wasmtime_component_record_type_field_count(type);
        var fields = new List<WaveField>((int)count);
        for (nuint i = 0; i < count; i++)
        {
            if (wasmtime_component_record_type_field_nth(type, i, out var name, out var length, out var field))
            {
                fields.Add(new(ComponentNative.Name(name, length), Take(ref field)));
            }
        }

        return fields;
    }

    private static List<WaveType> TupleItems(IntPtr type)
    {
        var count = wasmtime_component_tuple_type_types_count(type);
        var items = new List<WaveType>((int)count);
        for (nuint i = 0; i < count; i++)
        {
            if (wasmtime_component_tuple_type_types_nth(type, i, out var item))
            {
                items.Add(Take(ref item));
            }
        }

        return items;
    }

    private static List<WaveCase> Cases(IntPtr type)
    {
        var count = wasmtime_component_variant_type_case_count(type);
        var cases = new List<WaveCase>((int)count);
        for (nuint i = 0; i < count; i++)
        {
            if (wasmtime_component_variant_type_case_nth(type, i, out var name, out var length, out var hasPayload,
                    out var payload))
            {
                cases.Add(new(ComponentNative.Name(name, length), hasPayload ? Take(ref payload) : null));
            }
        }

        return cases;
    }

    private static List<string> Names(IntPtr type, Func<IntPtr, nuint> count, NameReader read)
    {
        var total = count(type);
        var names = new List<string>((int)total);
        for (nuint i = 0; i < total; i++)
        {
            if (read(type, i, out var name, out var length))
            {
                names.Add(ComponentNative.Name(name, length));
            }
        }

        return names;
    }
}
