namespace Propeller.Proplet.Tests.Runtimes;

/// <summary>Export lookup, arguments and results of core modules (reference §3.3).</summary>
public sealed class CoreModuleCallTests : IDisposable
{
    private readonly CoreRuntimeHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData("10", "20", "30")]
    [InlineData("-5", "3", "-2")]
    [InlineData("+7", "0", "7")]
    [InlineData("2147483647", "1", "-2147483648")]
    public async Task RunAsync_Add_ReturnsSumAsSignedDecimal(string a, string b, string expected)
    {
        Assert.Equal(expected, await _harness.RunAsync(TestWasm.Add, "add", a, b));
    }

    [Fact]
    public async Task RunAsync_TooFewInputs_ReportsArgumentCountMismatch()
    {
        Assert.Equal(
            "Argument count mismatch for function 'add': expected 2 arguments but got 1",
            await _harness.ErrorOfAsync(TestWasm.Add, "add", "1"));
    }

    [Theory]
    [InlineData("a", "Failed to parse 'a' as i32: invalid digit found in string")]
    [InlineData("1.5", "Failed to parse '1.5' as i32: invalid digit found in string")]
    [InlineData(" 1", "Failed to parse ' 1' as i32: invalid digit found in string")]
    [InlineData("", "Failed to parse '' as i32: cannot parse integer from empty string")]
    [InlineData("-", "Failed to parse '-' as i32: invalid digit found in string")]
    [InlineData("2147483648", "Failed to parse '2147483648' as i32: number too large to fit in target type")]
    [InlineData("-2147483649", "Failed to parse '-2147483649' as i32: number too small to fit in target type")]
    public async Task RunAsync_BadInteger_ReportsParseError(string input, string expected)
    {
        Assert.Equal(expected, await _harness.ErrorOfAsync(TestWasm.Add, "add", input, "1"));
    }

    [Theory]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    public async Task RunAsync_I64Extremes_RoundTrip(string input, string expected)
    {
        Assert.Equal(expected, await _harness.RunAsync(TestWasm.Misc, "id64", input));
    }

    [Fact]
    public async Task RunAsync_I64Overflow_ReportsParseError()
    {
        Assert.Equal(
            "Failed to parse '9223372036854775808' as i64: number too large to fit in target type",
            await _harness.ErrorOfAsync(TestWasm.Misc, "id64", "9223372036854775808"));
    }

    [Fact]
    public async Task RunAsync_MissingFunctionWithoutFallbacks_ListsFallbacksAndExports()
    {
        Assert.Equal(
            "Function 'nosuch' not found, and fallbacks [\"main\", \"run\", \"_start\"] also not found in module " +
            "exports. Available function exports: [\"add\"]",
            await _harness.ErrorOfAsync(TestWasm.Add, "nosuch"));
    }

    [Fact]
    public async Task RunAsync_MissingFunctionWithMain_RunsMain()
    {
        Assert.Equal("Hello from Propeller!\n", await _harness.RunAsync(TestWasm.Example("hello/hello.wat"), "nosuch"));
    }

    [Theory]
    [InlineData("two_and_a_half", "2.5")]
    [InlineData("thirty", "30")]
    [InlineData("tenth", "0.1")]
    public async Task RunAsync_FloatResult_UsesShortestRoundTripText(string function, string expected)
    {
        Assert.Equal(expected, await _harness.RunAsync(TestWasm.Example("floats/floats.wat"), function));
    }

    [Theory]
    [InlineData("div", "1", "0", "inf")]
    [InlineData("div", "-1", "0", "-inf")]
    [InlineData("div", "0", "0", "NaN")]
    [InlineData("div", "NaN", "1", "NaN")]
    [InlineData("div", "-Infinity", "2", "-inf")]
    [InlineData("div", "1e21", "1", "1000000000000000000000")]
    [InlineData("div", "1", "1e7", "0.0000001")]
    [InlineData("div", ".5", "2.", "0.25")]
    [InlineData("mul", "1.5", "2", "3")]
    [InlineData("mul", "0.1", "1", "0.1")]
    public async Task RunAsync_FloatArguments_ParseAndFormat(string function, string a, string b, string expected)
    {
        Assert.Equal(expected, await _harness.RunAsync(TestWasm.Example("floats/floats.wat"), function, a, b));
    }

    [Theory]
    [InlineData("1,5", "f64", "invalid float literal")]
    [InlineData("e5", "f64", "invalid float literal")]
    [InlineData("", "f64", "cannot parse float from empty string")]
    public async Task RunAsync_BadFloat_ReportsParseError(string input, string type, string reason)
    {
        Assert.Equal(
            $"Failed to parse '{input}' as {type}: {reason}",
            await _harness.ErrorOfAsync(TestWasm.Example("floats/floats.wat"), "div", input, "1"));
    }

    [Fact]
    public async Task RunAsync_Reactor_CallsInitializeFirst()
    {
        Assert.Equal("30", await _harness.RunAsync(TestWasm.Example("reactor/reactor.wat"), "add", "10", "20"));
    }

    [Fact]
    public async Task RunAsync_FunctionWithoutResults_ReturnsStdout()
    {
        Assert.Equal("Hello from Propeller!\n", await _harness.RunAsync(TestWasm.Example("hello/hello.wat"), "main"));
    }

    [Fact]
    public async Task RunAsync_TwoResults_ReturnsFirst()
    {
        Assert.Equal("1", await _harness.RunAsync(TestWasm.Misc, "pair"));
    }

    [Fact]
    public async Task RunAsync_Trap_ReportsFailedToCall()
    {
        Assert.Equal(
            "Failed to call function 'crash': wasm trap: wasm `unreachable` instruction executed",
            await _harness.ErrorOfAsync(TestWasm.Misc, "crash"));
    }

    [Fact]
    public async Task RunAsync_EndlessRecursion_TrapsWithoutHurtingTheHost()
    {
        Assert.Equal(
            "Failed to call function 'recurse': wasm trap: call stack exhausted",
            await _harness.ErrorOfAsync(TestWasm.Misc, "recurse", "0"));
        Assert.Equal("3", await _harness.RunAsync(TestWasm.Add, "add", "1", "2"));
    }

    [Fact]
    public async Task RunAsync_V128Parameter_ReportsUnsupportedType()
    {
        Assert.Equal(
            "Unsupported Wasm value type for arg '1'",
            await _harness.ErrorOfAsync(TestWasm.Misc, "vector", "1"));
    }

    [Fact]
    public async Task RunAsync_V128Result_ReportsUnsupportedType()
    {
        Assert.Equal(
            "Unsupported Wasm result type V128 of function 'vector_out'",
            await _harness.ErrorOfAsync(TestWasm.Misc, "vector_out"));
    }
}
