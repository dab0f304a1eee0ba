using Propeller.Testing;

namespace Propeller.Proplet.Tests.Runtimes.Host;

/// <summary>
/// An external runtime for the host-runtime tests: an executable shell wrapper, in a temporary directory, that
/// records its environment and runs <c>examples/runtimes/node-wasi-run.mjs</c> with Node's built-in WASI.
/// </summary>
internal sealed class NodeWasiRuntime : IDisposable
{
    private NodeWasiRuntime(string directory, string node, bool exec)
    {
        Directory = directory;
        WrapperPath = Path.Combine(directory, "node-wasi-run");
        EnvironmentDumpPath = Path.Combine(directory, "child-env.txt");
        ArgumentsDumpPath = Path.Combine(directory, "child-args.txt");
        ProcessIdPath = Path.Combine(directory, "child.pid");
        var script = RepoPaths.Example("runtimes", "node-wasi-run.mjs");

        // Without exec the shell stays the runtime's process and node runs as its child.
        File.WriteAllText(WrapperPath, $"""
            #!/bin/sh
            echo $$ > '{ProcessIdPath}'
            env > '{EnvironmentDumpPath}'
            printf '%s\n' "$@" > '{ArgumentsDumpPath}'
            {(exec ? "exec " : "")}'{node}' '{script}' "$@"

            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(WrapperPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Directory { get; }

    /// <summary>The value for <c>PROPLET_EXTERNAL_WASM_RUNTIME</c>.</summary>
    public string WrapperPath { get; }

    /// <summary>Where the wrapper writes the environment it was started with (<c>env</c> output).</summary>
    public string EnvironmentDumpPath { get; }

    /// <summary>Where the wrapper writes its process id (with exec, node's).</summary>
    public string ProcessIdPath { get; }

    /// <summary>Where the wrapper writes its arguments, one a line.</summary>
    public string ArgumentsDumpPath { get; }

    /// <summary>
    /// The runtime; a missing node fails the test. <paramref name="exec"/> false keeps the shell between the
    /// proplet and node.
    /// </summary>
    public static NodeWasiRuntime Create(bool exec = true) =>
        new(System.IO.Directory.CreateTempSubdirectory("propeller-host-runtime-").FullName, RequiredTool.Require("node"), exec);

    /// <summary>The variables the wrapper saw, as written by <c>env</c>.</summary>
    public IReadOnlyDictionary<string, string> ChildEnvironment() =>
        File.ReadAllLines(EnvironmentDumpPath)
            .Where(line => line.Contains('=', StringComparison.Ordinal))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

    /// <summary>The arguments the wrapper was started with.</summary>
    public IReadOnlyList<string> ChildArguments() => File.ReadAllLines(ArgumentsDumpPath);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
