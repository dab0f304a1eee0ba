using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Components;
using Wasmtime.Components;

namespace Propeller.Proplet.Tests.Runtimes.Components;

public sealed class ComponentTypeReaderTests : IDisposable
{
    private readonly WasmtimeEngine _engine = new();

    [Fact]
    public void Function_CompoundSignature_ReadsEveryType()
    {
        using var component = Component.FromBytes(_engine.Engine, TestComponents.Describe);

        var signature = ComponentTypeReader.Function(_engine.Engine, component, null, "describe");

        Assert.NotNull(signature);
        Assert.Equal(
            [
                "shape: variant {circle(f64), none}",
                "color: enum {red, light-green}",
                "perms: flags {read, write}",
                "point: tuple<s32, s32>",
                "pair: record {x: u16, y: option<char>}",
            ],
            signature.Parameters.Select(p => $"{p.Name}: {p.Type}"));
        Assert.Equal("result<u64, string>", signature.Result!.ToString());
    }

    [Fact]
    public void Function_InsideInstanceAndMissing_ResolveOrReturnNull()
    {
        using var component = Component.FromBytes(_engine.Engine, TestComponents.Exports);

        Assert.Equal("u32", ComponentTypeReader.Function(
            _engine.Engine, component, "elastic:demo/math@0.1.0", "triple")!.Result!.ToString());
        Assert.Null(ComponentTypeReader.Function(_engine.Engine, component, "elastic:demo/math@0.1.0", "double"));
        Assert.Null(ComponentTypeReader.Function(_engine.Engine, component, null, "triple"));
        Assert.Null(ComponentTypeReader.Function(_engine.Engine, component, "double", "x"));
        Assert.Null(ComponentTypeReader.Function(_engine.Engine, component, null, "spin")!.Result);
    }

    [Fact]
    public void Exports_Component_ListsNamesAndKinds()
    {
        using var component = Component.FromBytes(_engine.Engine, TestComponents.Exports);

        var exports = ComponentTypeReader.Exports(_engine.Engine, component);

        Assert.Contains(new("double", ComponentExportKind.Function), exports);
        Assert.Contains(new("elastic:demo/math@0.1.0", ComponentExportKind.Instance), exports);
        Assert.Contains(new("acme:tools/misc", ComponentExportKind.Instance), exports);
    }

    public void Dispose() => _engine.Dispose();
}
