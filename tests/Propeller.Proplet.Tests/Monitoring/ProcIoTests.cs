using Propeller.Proplet.Monitoring;

namespace Propeller.Proplet.Tests.Monitoring;

public sealed class ProcIoTests
{
    [Fact]
    public void StorageBytes_ProcIoText_ReadsReadAndWriteBytes()
    {
        const string io = "rchar: 4292\nwchar: 323\nsyscr: 10\nsyscw: 3\nread_bytes: 8192\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n";

        Assert.Equal((8192UL, 4096UL), ProcIo.StorageBytes(io));
    }

    [Fact]
    public void StorageBytes_FieldsMissing_ReturnsNull() =>
        Assert.Null(ProcIo.StorageBytes("rchar: 1\nwchar: 2\n"));

    [Fact]
    public void ThreadCount_StatusText_ReadsThreadsLine() =>
        Assert.Equal(23U, ProcIo.ThreadCount("Name:\tdotnet\nVmRSS:\t  1024 kB\nThreads:\t23\nSigQ:\t0/1\n"));

    [Fact]
    public void ThreadCount_NoThreadsLine_ReturnsNull() =>
        Assert.Null(ProcIo.ThreadCount("Name:\tdotnet\n"));

    [Theory]
    [InlineData("1234/task/1240", 1240)]
    [InlineData("/proc/7/task/9", 9)]
    [InlineData("1234/task/", null)]
    [InlineData("garbage", null)]
    [InlineData(null, null)]
    public void ParseThreadSelfLink_Target_ReturnsTheThreadId(string? target, int? expected) =>
        Assert.Equal(expected, OsThread.ParseThreadSelfLink(target));

    [Fact]
    public void CurrentId_OnADedicatedThread_NamesItsOwnProcTaskDirectory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int? id = null;
        string? name = null;
        var thread = new Thread(() =>
        {
            id = OsThread.CurrentId();
            name = id is { } tid ? File.ReadAllText($"/proc/self/task/{tid}/comm").Trim() : null;
        })
        { Name = "osthread-probe" };
        thread.Start();
        thread.Join();

        Assert.NotNull(id);
        Assert.NotEqual(Environment.ProcessId, id);
        Assert.Equal("osthread-probe", name);
    }
}
