using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Tests.Runtimes;

/// <summary>Classification, compilation, instantiation and host limits (reference §3.2, §3.3).</summary>
public sealed class CoreModuleLoadingTests : IDisposable
{
    private readonly CoreRuntimeHarness _harness = new(new WasmRuntimeOptions { MaxMemoryBytes = 1024 * 1024 });

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task RunAsync_NonWasiImport_ReportsInstantiateError()
    {
        var error = await _harness.ErrorOfAsync(TestWasm.ForeignImport, "main");

        Assert.StartsWith("Failed to instantiate Wasmtime module: ", error, StringComparison.Ordinal);
        Assert.Contains("env::host_magic", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InvalidBytes_ReportsCompileError()
    {
        var error = await _harness.ErrorOfAsync([1, 2, 3, 4], "main");

        Assert.StartsWith("Failed to compile Wasmtime module from binary: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Component_IsLeftToTheComponentRuntime()
    {
        var component = WatCompiler.ToWasm("(component)");
        Assert.True(WasmBinary.IsComponent(component));

        var error = await _harness.ErrorOfAsync(component, "run");

        Assert.Contains("the core module runtime does not run components", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ComponentHeaderOnly_IsLeftToTheComponentRuntime()
    {
        var error = await _harness.ErrorOfAsync([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00], "run");

        Assert.Contains("the core module runtime does not run components", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8", "1")]
    [InlineData("100", "-1")]
    public async Task RunAsync_MemoryGrowth_IsCappedByMaxMemoryBytes(string pages, string expected)
    {
        // 1 MiB is 16 pages: growing from 1 to 9 fits, to 101 does not.
        Assert.Equal(expected, await _harness.RunAsync(TestWasm.Grow, "grow", pages));
    }

    [Theory]
    [InlineData(0, 1024)]
    [InlineData(1024, -1)]
    public void Constructor_InvalidOptions_NamesTheSetting(long maxMemoryBytes, int maxOutputBytes)
    {
        var options = new WasmRuntimeOptions { MaxMemoryBytes = maxMemoryBytes, MaxOutputBytes = maxOutputBytes };

        var error = Assert.Throws<ArgumentException>(() => new WasmtimeCoreRuntime(_harness.Engine, options));

        Assert.Contains(maxMemoryBytes <= 0 ? "MaxMemoryBytes" : "MaxOutputBytes", error.Message, StringComparison.Ordinal);
    }
}
