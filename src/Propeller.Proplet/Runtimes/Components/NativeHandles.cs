using System.Reflection;
using System.Runtime.InteropServices;
using Wasmtime;
using Wasmtime.Components;

namespace Propeller.Proplet.Runtimes.Components;

/// <summary>
/// The native pointers behind the binding's <see cref="Engine"/> and <see cref="Component"/>, for the type C API the
/// binding does not wrap. The binding keeps them in an internal <c>NativeHandle</c> property; a package update that
/// renames it fails here, loudly, and in the component tests.
/// </summary>
internal static class NativeHandles
{
    private static readonly PropertyInfo EngineHandle = Find(typeof(Engine));
    private static readonly PropertyInfo ComponentHandle = Find(typeof(Component));

    /// <summary>Runs <paramref name="use"/> with the engine and component pointers kept alive throughout.</summary>
    public static T With<T>(Engine engine, Component component, Func<IntPtr, IntPtr, T> use)
    {
        var engineHandle = (SafeHandle)EngineHandle.GetValue(engine)!;
        var componentHandle = (SafeHandle)ComponentHandle.GetValue(component)!;
        var engineAdded = false;
        var componentAdded = false;
        try
        {
            engineHandle.DangerousAddRef(ref engineAdded);
            componentHandle.DangerousAddRef(ref componentAdded);
            return use(engineHandle.DangerousGetHandle(), componentHandle.DangerousGetHandle());
        }
        finally
        {
            if (componentAdded)
            {
                componentHandle.DangerousRelease();
            }

            if (engineAdded)
            {
                engineHandle.DangerousRelease();
            }
        }
    }

    private static PropertyInfo Find(Type type) =>
        type.GetProperty("NativeHandle", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
        is { } property && typeof(SafeHandle).IsAssignableFrom(property.PropertyType)
            ? property
            : throw new MissingMemberException(type.FullName, "NativeHandle");
}
