using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Host;

namespace Propeller.Proplet.Tests.Runtimes.Host;

public sealed class HostRuntimeArgumentsTests
{
    private const string File = "/tmp/proplet_t.wasm";

    private static readonly byte[] CoreModule = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    private static readonly byte[] Component = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
    private static readonly byte[] OldComponent = [0x00, 0x61, 0x73, 0x6d, 0x0a, 0x00, 0x01, 0x00];

    [Fact]
    public void Build_ReadmeExampleWithInvokeInCliArgs_AddsNoSecondInvoke()
    {
        var arguments = HostRuntimeArguments.Build(Request(CoreModule, "add", ["10", "20"], cliArgs: ["--invoke", "add"]), File);

        Assert.Equal(["run", "--invoke", "add", File, "10", "20"], arguments);
    }

    [Fact]
    public void Build_CoreModuleExport_InvokesByNameAndAppendsInputs()
    {
        var arguments = HostRuntimeArguments.Build(Request(CoreModule, "add", ["10", "20"]), File);

        Assert.Equal(["run", "--invoke", "add", File, "10", "20"], arguments);
    }

    [Fact]
    public void Build_ComponentExport_InvokesAWaveCallAndAppendsNoInputs()
    {
        var arguments = HostRuntimeArguments.Build(Request(Component, "greet", ["\"x\"", "2"]), File);

        Assert.Equal(["run", "--invoke", "greet(\"x\", 2)", File], arguments);
    }

    [Fact]
    public void Build_PreReleaseComponentLayer_IsAComponentToo()
    {
        var arguments = HostRuntimeArguments.Build(Request(OldComponent, "greet", []), File);

        Assert.Equal(["run", "--invoke", "greet()", File], arguments);
    }

    [Theory]
    [InlineData("_start")]
    [InlineData("")]
    [InlineData("fl-round-3")]
    public void Build_CommandName_RunsTheCommandWithInputsAsArguments(string name)
    {
        var arguments = HostRuntimeArguments.Build(Request(Component, name, ["a", "b"]), File);

        Assert.Equal(["run", File, "a", "b"], arguments);
    }

    [Fact]
    public void Build_EnvDirsAndCliArgs_KeepTheirPlacesAndEnvIsSorted()
    {
        var request = Request(CoreModule, "_start", [], cliArgs: ["-S", "nn"]) with
        {
            Env = new Dictionary<string, string> { ["ZED"] = "1", ["PROPLET_ID"] = "p1", ["A"] = "x=y" },
            PreopenDirs = ["/data"],
        };

        var arguments = HostRuntimeArguments.Build(request, File);

        Assert.Equal(
            ["run", "--dir", "/data", "-S", "nn", "--env", "A=x=y", "--env", "PROPLET_ID=p1", "--env", "ZED=1", File],
            arguments);
    }

    [Fact]
    public void Build_InvokeWithEqualsInCliArgs_AddsNoSecondInvoke()
    {
        var arguments = HostRuntimeArguments.Build(Request(Component, "greet", ["\"x\""], cliArgs: ["--invoke=greet(\"y\")"]), File);

        Assert.Equal(["run", "--invoke=greet(\"y\")", File, "\"x\""], arguments);
    }

    private static WasmRunRequest Request(byte[] wasm, string name, string[] inputs, string[]? cliArgs = null) => new()
    {
        TaskId = "t",
        FunctionName = name,
        Wasm = wasm,
        Inputs = inputs,
        CliArgs = cliArgs ?? [],
    };
}
