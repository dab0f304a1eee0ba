using Propeller.Proplet.Configuration;
using Propeller.Proplet.Runtimes.Host;

namespace Propeller.Proplet.Tests.Runtimes.Host;

public sealed class ExternalRuntimeLocatorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("propeller-locator-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Locate_ExistingPath_ReturnsIt()
    {
        var program = Touch("wasmtime");

        Assert.Equal(program, ExternalRuntimeLocator.Locate(program, searchPath: ""));
    }

    [Fact]
    public void Locate_MissingPath_ReturnsNull()
    {
        Assert.Null(ExternalRuntimeLocator.Locate(Path.Combine(_dir, "nope"), searchPath: _dir));
    }

    [Fact]
    public void Locate_BareNameOnPath_ReturnsTheFullPath()
    {
        var program = Touch("wasmtime");

        Assert.Equal(program, ExternalRuntimeLocator.Locate("wasmtime", $"/nonexistent{Path.PathSeparator}{_dir}"));
    }

    [Fact]
    public void Locate_BareNameNotOnPath_ReturnsNull()
    {
        Assert.Null(ExternalRuntimeLocator.Locate("propeller-no-such-runtime", _dir));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Locate_Unset_ReturnsNull(string? configured)
    {
        Assert.Null(ExternalRuntimeLocator.Locate(configured, _dir));
    }

    [Fact]
    public void RuntimeName_ConfiguredAndFound_IsTheConfiguredValue()
    {
        var program = Touch("wasmtime");

        Assert.Equal(program, HostRuntimeSelection.RuntimeName(Options(program)));
    }

    [Fact]
    public void RuntimeName_ConfiguredButMissing_IsTheEmbeddedRuntime()
    {
        Assert.Equal("wasmtime-internal", HostRuntimeSelection.RuntimeName(Options(Path.Combine(_dir, "nope"))));
        Assert.Equal("wasmtime-internal", HostRuntimeSelection.RuntimeName(Options(null)));
    }

    [Fact]
    public void FromEnvironment_ExternalRuntime_IsRead()
    {
        var options = PropletOptions.FromEnvironment(new Dictionary<string, string>
        {
            ["PROPLET_TENANT_ID"] = "t",
            ["PROPLET_CHANNEL_ID"] = "c",
            ["PROPLET_ENTITY_ID"] = "p1",
            ["PROPLET_API_KEY"] = "k",
            [PropletVariables.ExternalWasmRuntime] = " wasmtime ",
        });

        Assert.Equal("wasmtime", options.ExternalWasmRuntime);
    }

    private static PropletOptions Options(string? runtime) =>
        new() { Credentials = new("t", "c", "p1", "k"), ExternalWasmRuntime = runtime };

    private string Touch(string name)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "");
        return path;
    }
}
