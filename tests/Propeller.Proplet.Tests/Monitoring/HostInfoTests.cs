using System.Runtime.InteropServices;
using Propeller.Contracts.Configuration;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Monitoring;

namespace Propeller.Proplet.Tests.Monitoring;

public sealed class HostInfoTests
{
    private static readonly PropletOptions Options = new() { Credentials = new EntityCredentials("t", "c", "p", "k") };

    [Fact]
    public void Describe_CollectingSystemInfo_FillsHostFields()
    {
        var metadata = HostInfo.Describe(Options with { Description = "d", Tags = ["a", "b"], Location = "l" });

        Assert.Equal("d", metadata.Description);
        Assert.Equal(["a", "b"], metadata.Tags);
        Assert.Equal("l", metadata.Location);
        Assert.Equal("wasmtime-internal", metadata.WasmRuntime);
        Assert.Equal("0.1.0", metadata.PropletVersion);
        Assert.Contains(metadata.Environment, new[] { "docker", "binary" });
        Assert.False(string.IsNullOrEmpty(metadata.Os));
        Assert.False(string.IsNullOrEmpty(metadata.CpuArch));
        Assert.False(string.IsNullOrEmpty(metadata.Hostname));
        Assert.True(metadata.TotalMemoryBytes > 0);
    }

    [Fact]
    public void Describe_SystemInfoOff_LeavesHostFieldsEmpty()
    {
        var metadata = HostInfo.Describe(Options with { CollectSystemInfo = false });

        Assert.Null(metadata.Ip);
        Assert.Null(metadata.Hostname);
        Assert.Equal("", metadata.Os);
        Assert.Equal("", metadata.CpuArch);
        Assert.Equal("", metadata.Environment);
        Assert.Equal(0UL, metadata.TotalMemoryBytes);
        Assert.Null(metadata.Tags);
    }

    [Theory]
    [InlineData(Architecture.X64, "x86_64")]
    [InlineData(Architecture.Arm64, "aarch64")]
    [InlineData(Architecture.RiscV64, "riscv64")]
    public void CpuArch_UsesRustNames(Architecture architecture, string expected) =>
        Assert.Equal(expected, HostInfo.CpuArch(architecture));
}
