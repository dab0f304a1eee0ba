using Propeller.Proplet.Runtimes.Components;

namespace Propeller.Proplet.Tests.Runtimes.Components;

public sealed class ComponentExportCallTests : IDisposable
{
    private readonly ComponentRuntimeHarness _harness = new();

    [Fact]
    public async Task Greet_QuotedWaveString_ReturnsQuotedGreeting() =>
        Assert.Equal("\"Hello, world!\"", await _harness.RunAsync(TestComponents.Greet, "greet", "\"world\""));

    [Fact]
    public async Task Greet_EscapesInArgumentAndResult_RoundTrip() =>
        Assert.Equal(
            "\"Hello, a\\\"b\\nc ☃!\"",
            await _harness.RunAsync(TestComponents.Greet, "greet", "\"a\\\"b\\nc \\u{2603}\""));

    [Fact]
    public async Task Greet_UnquotedArgument_FailsNamingArgumentAndParameter()
    {
        var error = await _harness.ErrorOfAsync(TestComponents.Greet, "greet", "world");
        Assert.StartsWith("Failed to parse WAVE argument 'world' for parameter 1", error, StringComparison.Ordinal);
        Assert.Contains("'name: string'", error, StringComparison.Ordinal);
        Assert.Contains("export 'greet'", error, StringComparison.Ordinal);
        Assert.Contains("expected a string literal", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Greet_WrongArgumentCount_FailsWithCounts() =>
        Assert.Equal(
            "Argument count mismatch for 'greet': expected 1 but got 2",
            await _harness.ErrorOfAsync(TestComponents.Greet, "greet", "\"a\"", "\"b\""));

    [Fact]
    public async Task Call_TopLevelExport_Resolves() =>
        Assert.Equal("42", await _harness.RunAsync(TestComponents.Exports, "double", "21"));

    [Fact]
    public async Task Call_QualifiedExport_ResolvesInsideInterface()
    {
        Assert.Equal("9", await _harness.RunAsync(TestComponents.Exports, "elastic:demo/math@0.1.0#triple", "3"));
        Assert.Equal("12", await _harness.RunAsync(TestComponents.Exports, "acme:tools/misc#quad", "3"));
    }

    [Fact]
    public async Task Call_BareNameInsideElasticInterface_Resolves() =>
        Assert.Equal("15", await _harness.RunAsync(TestComponents.Exports, "triple", "5"));

    [Fact]
    public async Task Call_BareNameInsideOtherInterface_IsNotFound() =>
        Assert.StartsWith(
            "Export 'quad' not found in component for task task-",
            await _harness.ErrorOfAsync(TestComponents.Exports, "quad", "5"),
            StringComparison.Ordinal);

    [Fact]
    public async Task Call_UnknownQualifiedExport_IsNotFound()
    {
        var error = await _harness.ErrorOfAsync(TestComponents.Exports, "elastic:demo/math@0.1.0#nope", "5");
        Assert.StartsWith("Export 'elastic:demo/math@0.1.0#nope' not found in component for task task-", error,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_U32OutOfRange_FailsParsing()
    {
        var error = await _harness.ErrorOfAsync(TestComponents.Exports, "double", "-1");
        Assert.StartsWith("Failed to parse WAVE argument '-1' for parameter 1 ('x: u32')", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_Trap_FailsNamingExport()
    {
        var error = await _harness.ErrorOfAsync(TestComponents.Exports, "crash");
        Assert.StartsWith("Failed to call export 'crash': ", error, StringComparison.Ordinal);
        Assert.Contains("unreachable", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_NoResult_ReturnsEmpty() =>
        Assert.Equal(string.Empty, await _harness.RunAsync(TestComponents.Exports, "noop"));

    [Fact]
    public async Task Call_AfterATrap_NextRunGetsAFreshStore()
    {
        await _harness.ErrorOfAsync(TestComponents.Exports, "crash");
        Assert.Equal("\"Hello, again!\"", await _harness.RunAsync(TestComponents.Greet, "greet", "\"again\""));
    }

    [Fact]
    public async Task Call_CompoundWaveArguments_AreParsedAgainstRealTypes()
    {
        Assert.Equal("ok(42)", await _harness.RunAsync(
            TestComponents.Describe, "describe", "circle(1.5)", "light-green", "{read, write}", "(6, 7)",
            "{x: 1, y: some('z')}"));
        Assert.Equal("err(\"no shape\")", await _harness.RunAsync(
            TestComponents.Describe, "describe", "none", "red", "{}", "(1, 2)", "{x: 1}"));
    }

    [Fact]
    public async Task Call_CompoundArgumentOfWrongCase_FailsNamingCases()
    {
        var error = await _harness.ErrorOfAsync(
            TestComponents.Describe, "describe", "square", "red", "{}", "(1, 2)", "{x: 1}");
        Assert.StartsWith("Failed to parse WAVE argument 'square' for parameter 1", error, StringComparison.Ordinal);
        Assert.Contains("one of the cases circle, none", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CoreModule_StillGoesToCoreRuntime() =>
        Assert.Equal("30", await _harness.RunAsync(TestWasm.Add, "add", "10", "20"));

    [Theory]
    [InlineData("greet", true)]
    [InlineData("_start", false)]
    [InlineData("", false)]
    [InlineData("fl-round-3", false)]
    public void IsCustomExport_TaskName_FollowsReference(string name, bool expected) =>
        Assert.Equal(expected, ComponentExecution.IsCustomExport(name));

    public void Dispose() => _harness.Dispose();
}
