using Propeller.Proplet.Runtimes;
using Propeller.LoadDriver.Output;

namespace Propeller.LoadDriver.Measure;

/// <summary><c>examples/add/add.wat</c>, compiled to a binary module.</summary>
internal static class AddModule
{
    public static byte[] Load() =>
        WatCompiler.ToWasm(File.ReadAllText(Path.Combine(ResultFiles.RepositoryRoot, "examples", "add", "add.wat")));
}
