using Propeller.Proplet.Runtimes.Limits;

namespace Propeller.Proplet.Tests.Runtimes.Limits;

/// <summary>The check that keeps a failed pool reservation from aborting the process inside Wasmtime.</summary>
public sealed class PoolReservationProbeTests
{
    private const long GiB = 1024L * 1024 * 1024;

    [Fact]
    public void RequiredBytes_SmallMemories_ReservesFourGiBPlusGuardPerSlot()
    {
        Assert.Equal((2 * ((4 * GiB) + (32L * 1024 * 1024))) + GiB, PoolReservationProbe.RequiredBytes(2, 1024 * 1024));
        Assert.Equal(long.MaxValue, PoolReservationProbe.RequiredBytes(long.MaxValue / 2, GiB));
    }

    [Fact]
    public void CannotReserve_ModestPool_ReturnsNull()
    {
        Assert.True(OperatingSystem.IsLinux(), "The proplet's pooling check runs on Linux.");

        Assert.Null(PoolReservationProbe.CannotReserve(16 * GiB, 100));
    }

    [Fact]
    public void CannotReserve_MoreAddressSpaceThanExists_SaysWhy()
    {
        var reason = PoolReservationProbe.CannotReserve(long.MaxValue / 2, 100);

        Assert.Contains("address space failed", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CannotReserve_MoreMappingsThanAllowed_NamesMaxMapCount()
    {
        var reason = PoolReservationProbe.CannotReserve(GiB, 100_000_000);

        Assert.Contains("vm.max_map_count", reason, StringComparison.Ordinal);
    }
}
