using Propeller.Proplet.Runtimes;

using Propeller.Testing;

namespace Propeller.Proplet.Tests.Runtimes;

public sealed class WatCompilerTests
{
    [Fact]
    public void ToWasm_ValidText_ReturnsCoreModuleBinary()
    {
        var wasm = WatCompiler.ToWasm("(module)");

        Assert.Equal([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], wasm);
    }

    [Fact]
    public void ToWasm_InvalidText_ThrowsFormatExceptionWithLocation()
    {
        var error = Assert.Throws<FormatException>(() => WatCompiler.ToWasm("(module (func (export \"f\") bogus))"));

        Assert.StartsWith("Invalid WebAssembly text: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("1:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("add/add.wat")]
    [InlineData("loop/loop.wat")]
    [InlineData("floats/floats.wat")]
    [InlineData("reactor/reactor.wat")]
    [InlineData("hello/hello.wat")]
    [InlineData("files/files.wat")]
    public void ToWasm_EveryExample_Compiles(string example)
    {
        var wasm = WatCompiler.ToWasm(File.ReadAllText(Path.Combine(RepoPaths.Examples, example)));

        Assert.False(WasmBinary.IsComponent(wasm));
        Assert.True(wasm.Length > 8);
    }
}
