using System.Runtime.InteropServices;

namespace Propeller.Proplet.Runtimes.Components;

/// <summary>
/// The parts of Wasmtime's component type C API that the .NET binding does not wrap: a component's export types and
/// the value types of function parameters and results. The library is the one the Wasmtime package ships.
/// </summary>
/// <remarks>
/// Ownership follows the C API: a component type, an extern, an item and every value type written by these
/// functions must be deleted by the caller; names point into their owner and are copied at once.
/// </remarks>
internal static class ComponentNative
{
    private const string Library = "wasmtime";

    // wasmtime_component_item_kind_t
    public const byte ItemInstance = 1;
    public const byte ItemFunction = 3;

    [DllImport(Library)]
    public static extern IntPtr wasmtime_component_type(IntPtr component);

    [DllImport(Library)]
    public static extern void wasmtime_component_type_delete(IntPtr type);

    [DllImport(Library)]
    public static extern nuint wasmtime_component_type_export_count(IntPtr type, IntPtr engine);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_type_export_get(
        IntPtr type, IntPtr engine, byte[] name, nuint nameLength, out IntPtr external);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_type_export_nth(
        IntPtr type, IntPtr engine, nuint nth, out IntPtr name, out nuint nameLength, out IntPtr external);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_instance_type_export_get(
        IntPtr type, IntPtr engine, byte[] name, nuint nameLength, out IntPtr external);

    [DllImport(Library)]
    public static extern void wasmtime_component_extern_type(IntPtr external, out Item item);

    [DllImport(Library)]
    public static extern void wasmtime_component_extern_delete(IntPtr external);

    [DllImport(Library)]
    public static extern void wasmtime_component_item_delete(ref Item item);

    [DllImport(Library)]
    public static extern nuint wasmtime_component_func_type_param_count(IntPtr type);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_func_type_param_nth(
        IntPtr type, nuint nth, out IntPtr name, out nuint nameLength, out ValType valType);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_func_type_result(IntPtr type, out ValType valType);

    [DllImport(Library)]
    public static extern void wasmtime_component_valtype_delete(ref ValType valType);

    [DllImport(Library)]
    public static extern void wasmtime_component_list_type_element(IntPtr type, out ValType element);

    [DllImport(Library)]
    public static extern nuint wasmtime_component_record_type_field_count(IntPtr type);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_record_type_field_nth(
        IntPtr type, nuint nth, out IntPtr name, out nuint nameLength, out ValType field);

    [DllImport(Library)]
    public static extern nuint wasmtime_component_tuple_type_types_count(IntPtr type);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_tuple_type_types_nth(IntPtr type, nuint nth, out ValType item);

    [DllImport(Library)]
    public static extern nuint wasmtime_component_variant_type_case_count(IntPtr type);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_variant_type_case_nth(
        IntPtr type,
        nuint nth,
        out IntPtr name,
        out nuint nameLength,
        [MarshalAs(UnmanagedType.U1)] out bool hasPayload,
        out ValType payload);

    [DllImport(Library)]
    public static extern nuint wasmtime_component_enum_type_names_count(IntPtr type);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_enum_type_names_nth(
        IntPtr type, nuint nth, out IntPtr name, out nuint nameLength);

    [DllImport(Library)]
    public static extern void wasmtime_component_option_type_ty(IntPtr type, out ValType element);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_result_type_ok(IntPtr type, out ValType ok);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_result_type_err(IntPtr type, out ValType err);

    [DllImport(Library)]
    public static extern nuint wasmtime_component_flags_type_names_count(IntPtr type);

    [DllImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool wasmtime_component_flags_type_names_nth(
        IntPtr type, nuint nth, out IntPtr name, out nuint nameLength);

    public static string Name(IntPtr name, nuint length) => Marshal.PtrToStringUTF8(name, checked((int)length));

    /// <summary>Mirrors <c>wasmtime_component_valtype_t</c>: a 1-byte kind, then a pointer-sized union.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ValType
    {
        public byte Kind;
        public IntPtr Of;
    }

    /// <summary>Mirrors <c>wasmtime_component_item_t</c>: a 1-byte kind, then a union as large as a value type.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Item
    {
        public byte Kind;
        public IntPtr Of;
        public IntPtr Rest;
    }
}
