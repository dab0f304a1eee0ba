using Propeller.Proplet.Monitoring;

namespace Propeller.Proplet.Tests.Monitoring;

public sealed class ProcFsTests
{
    [Fact]
    public void ProcessCpuTicks_CommandNameWithSpacesAndParentheses_ReadsFields14And15()
    {
        const string Stat = "4242 (dotnet (x) y) S 1 4242 4242 0 -1 4194560 12 0 0 0 731 205 0 0 20 0 30 0 9 0 0";

        Assert.Equal((731UL, 205UL), ProcFs.ProcessCpuTicks(Stat));
    }

    [Fact]
    public void ProcessCpuTicks_Truncated_IsNull() => Assert.Null(ProcFs.ProcessCpuTicks("1 (x) S 1 2"));

    [Fact]
    public void SystemCpuTicks_AggregateLine_SumsEightFieldsAndCountsIowaitAsIdle()
    {
        const string ProcStat = "cpu  100 5 50 800 20 3 2 0 7 0\ncpu0 50 2 25 400 10 1 1 0 0 0\nintr 1 2\n";

        Assert.Equal((980UL, 820UL), ProcFs.SystemCpuTicks(ProcStat));
    }

    [Fact]
    public void BusyPercent_BetweenSamples_IsTheNonIdleShare()
    {
        Assert.Equal(25, ProcFs.BusyPercent((1000, 800), (1400, 1100)));
        Assert.Equal(0, ProcFs.BusyPercent((1000, 800), (1000, 800)));
    }

    [Fact]
    public void KilobyteField_StatusLine_IsInBytes()
    {
        const string Status = "Name:\tdotnet\nVmPeak:\t  300 kB\nVmRSS:\t   12345 kB\n";

        Assert.Equal(12345UL * 1024, ProcFs.KilobyteField(Status, "VmRSS"));
        Assert.Null(ProcFs.KilobyteField(Status, "VmSwap"));
    }

    [Fact]
    public void RealProcFiles_OnLinux_AreReadable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Assert.NotNull(ProcFs.ProcessCpuTicks(File.ReadAllText("/proc/self/stat")));
        Assert.NotNull(ProcFs.SystemCpuTicks(File.ReadAllText("/proc/stat")));
        Assert.True(ProcFs.KilobyteField(File.ReadAllText("/proc/self/status"), "VmRSS") > 0);
        Assert.True(ProcFs.KilobyteField(File.ReadAllText("/proc/meminfo"), "MemTotal") > 0);
    }
}
