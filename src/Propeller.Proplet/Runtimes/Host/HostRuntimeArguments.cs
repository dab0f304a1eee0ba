namespace Propeller.Proplet.Runtimes.Host;

/// <summary>
/// The command line of the external runtime, shaped as the wasmtime CLI expects it (proplet-reference §3.8):
/// <c>run [--invoke X] [--dir D]… &lt;cli_args…&gt; [--env K=V]… &lt;file&gt; [inputs…]</c>.
/// </summary>
internal static class HostRuntimeArguments
{
    private const string Invoke = "--invoke";

    public static IReadOnlyList<string> Build(WasmRunRequest request, string wasmPath)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arguments = new List<string> { "run" };

        // The caller's own --invoke wins; a component takes its inputs inside a WAVE call expression.
        var invoke = IsCustomExport(request.FunctionName) && !request.CliArgs.Any(IsInvokeFlag);
        var component = IsComponent(request.Wasm.Span);
        if (invoke)
        {
            arguments.Add(Invoke);
            arguments.Add(component
                ? $"{request.FunctionName}({string.Join(", ", request.Inputs)})"
                : request.FunctionName);
        }

        foreach (var directory in request.PreopenDirs)
        {
            arguments.Add("--dir");
            arguments.Add(directory);
        }

        arguments.AddRange(request.CliArgs);
        foreach (var (name, value) in request.Env.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            arguments.Add("--env");
            arguments.Add($"{name}={value}");
        }

        arguments.Add(wasmPath);
        if (!(invoke && component))
        {
            arguments.AddRange(request.Inputs);
        }

        return arguments;
    }

    /// <summary>A named export to call, rather than a command's <c>_start</c> (proplet-reference §3.2).</summary>
    public static bool IsCustomExport(string name) =>
        name.Length > 0 && name != "_start" && !name.StartsWith("fl-round-", StringComparison.Ordinal);

    /// <summary>The host runtime also takes the pre-release component layer byte <c>0x0a</c>.</summary>
    public static bool IsComponent(ReadOnlySpan<byte> wasm) =>
        WasmBinary.IsComponent(wasm) || (wasm.Length > 4 && wasm[..4].SequenceEqual("\0asm"u8) && wasm[4] == 0x0a);

    private static bool IsInvokeFlag(string argument) =>
        argument == Invoke || argument.StartsWith(Invoke + "=", StringComparison.Ordinal);
}
