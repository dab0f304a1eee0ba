using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Manager.Proplets;
using Propeller.Manager.Scheduling;

namespace Propeller.Manager.Tests.Scheduling;

public sealed class PlacementRulesTests
{
    private static readonly PropletMetadata Gpu = new()
    {
        Tags = ["gpu", "lab"],
        TotalMemoryBytes = 8UL * 1024 * 1024 * 1024,
        CpuArch = "x86_64",
        WasmRuntime = "wasmtime-internal",
    };

    [Fact]
    public void Unmet_NoRequirements_FitsEveryProplet()
    {
        Assert.Empty(PlacementRules.Unmet(null, Proplet(null)));
        Assert.Empty(PlacementRules.Unmet(new TaskRequirements(), Proplet(null)));
    }

    [Fact]
    public void Unmet_AllRequirementsMet_IsEmpty()
    {
        var requirements = new TaskRequirements { Tags = ["gpu"], MinMemoryBytes = 1024, CpuArch = "x86_64", WasmRuntime = "wasmtime-internal" };

        Assert.Empty(PlacementRules.Unmet(requirements, Proplet(Gpu)));
    }

    [Fact]
    public void Unmet_MissingTag_NamesOnlyTheMissingTags()
    {
        var requirements = new TaskRequirements { Tags = ["gpu", "tpu", "fpga"] };

        Assert.Equal(["tags [tpu, fpga]"], PlacementRules.Unmet(requirements, Proplet(Gpu)));
    }

    [Fact]
    public void Unmet_TagsAreCaseSensitive()
    {
        Assert.Equal(["tags [GPU]"], PlacementRules.Unmet(new TaskRequirements { Tags = ["GPU"] }, Proplet(Gpu)));
    }

    [Theory]
    [InlineData(8UL * 1024 * 1024 * 1024, true)]
    [InlineData(8UL * 1024 * 1024 * 1024 + 1, false)]
    public void Unmet_MinMemory_ComparesWithTotalMemoryBytes(ulong minimum, bool fits)
    {
        var unmet = PlacementRules.Unmet(new TaskRequirements { MinMemoryBytes = minimum }, Proplet(Gpu));

        Assert.Equal(fits, unmet.Count == 0);
        if (!fits)
        {
            Assert.Equal($"min_memory_bytes {minimum}", Assert.Single(unmet));
        }
    }

    [Theory]
    [InlineData("x86_64", "x86_64", true)]
    [InlineData("amd64", "x86_64", true)]
    [InlineData("X64", "x86_64", true)]
    [InlineData("arm64", "aarch64", true)]
    [InlineData("aarch64", "x86_64", false)]
    [InlineData("x86_64", "", false)]
    public void Unmet_CpuArch_MatchesSpellingsOfOneArchitecture(string wanted, string reported, bool fits)
    {
        var proplet = Proplet(Gpu with { CpuArch = reported });

        var unmet = PlacementRules.Unmet(new TaskRequirements { CpuArch = wanted }, proplet);

        Assert.Equal(fits, unmet.Count == 0);
    }

    [Theory]
    [InlineData("wasmtime-internal", true)]
    [InlineData("WASMTIME-INTERNAL", true)]
    [InlineData("wasmedge", false)]
    public void Unmet_WasmRuntime_IgnoresCase(string wanted, bool fits)
    {
        var unmet = PlacementRules.Unmet(new TaskRequirements { WasmRuntime = wanted }, Proplet(Gpu));

        Assert.Equal(fits, unmet.Count == 0);
    }

    [Fact]
    public void Unmet_PropletWithoutMetadata_MeetsNoRequirement()
    {
        var requirements = new TaskRequirements { Tags = ["gpu"], MinMemoryBytes = 1, CpuArch = "x86_64", WasmRuntime = "wasmtime-internal" };

        Assert.Equal(
            ["tags [gpu]", "min_memory_bytes 1", "cpu_arch x86_64", "wasm_runtime wasmtime-internal"],
            PlacementRules.Unmet(requirements, Proplet(null)));
    }

    [Fact]
    public void Describe_ListsEverySetRequirement()
    {
        Assert.Equal("tags [gpu], cpu_arch aarch64", PlacementRules.Describe(new TaskRequirements { Tags = ["gpu", "gpu"], CpuArch = "aarch64" }));
    }

    private static Proplet Proplet(PropletMetadata? metadata) => new() { Id = "p1", Name = "p1", Metadata = metadata };
}
