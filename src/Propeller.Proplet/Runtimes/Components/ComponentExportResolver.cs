using Wasmtime;
using Wasmtime.Components;

namespace Propeller.Proplet.Runtimes.Components;

/// <summary>
/// Finds the function a task names in a component: <c>interface#function</c>; else a top-level function; else a
/// function of that name inside an exported <c>wasi:</c> or <c>elastic:</c> interface (for example
/// <c>elastic:demo/math@0.1.0</c>).
/// </summary>
internal static class ComponentExportResolver
{
    /// <exception cref="WasmExecutionException">No such function, or its types cannot be written in WAVE.</exception>
    public static (string? Instance, string Function, ComponentFunctionSignature Signature) Resolve(
        Engine engine, Component component, string name, string taskId)
    {
        try
        {
            var hash = name.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                var instance = name[..hash];
                var function = name[(hash + 1)..];
                if (ComponentTypeReader.Function(engine, component, instance, function) is { } qualified)
                {
                    return (instance, function, qualified);
                }
            }
            else if (ComponentTypeReader.Function(engine, component, null, name) is { } topLevel)
            {
                return (null, name, topLevel);
            }
            else
            {
                foreach (var (export, kind) in ComponentTypeReader.Exports(engine, component))
                {
                    if (kind == ComponentExportKind.Instance && IsKnownInterface(export)
                        && ComponentTypeReader.Function(engine, component, export, name) is { } inner)
                    {
                        return (export, name, inner);
                    }
                }
            }
        }
        catch (NotSupportedException e)
        {
            throw new WasmExecutionException($"Export '{name}' of task {taskId} cannot be called: {e.Message}", e);
        }

        throw new WasmExecutionException($"Export '{name}' not found in component for task {taskId}");
    }

    private static bool IsKnownInterface(string name) =>
        (name.StartsWith("wasi:", StringComparison.Ordinal) || name.StartsWith("elastic:", StringComparison.Ordinal))
        && name.Contains('/', StringComparison.Ordinal);
}
