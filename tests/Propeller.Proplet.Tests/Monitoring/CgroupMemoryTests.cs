using Propeller.Proplet.Monitoring;

namespace Propeller.Proplet.Tests.Monitoring;

public sealed class CgroupMemoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("propeller-cgroup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Read_V2WithLimit_ReadsCurrentAndMax()
    {
        Write("memory.current", "1048576\n");
        Write("memory.max", "536870912\n");

        Assert.Equal((1048576UL, (ulong?)536870912), CgroupMemory.Read(_root, null));
    }

    [Fact]
    public void Read_V2Unlimited_HasNoLimit()
    {
        Write("memory.current", "4096");
        Write("memory.max", "max");

        Assert.Equal((4096UL, (ulong?)null), CgroupMemory.Read(_root, null));
    }

    [Fact]
    public void Read_OwnCgroup_IsPreferredOverTheRoot()
    {
        Write("memory.current", "1");
        Write("system.slice/app.service/memory.current", "2");
        Write("system.slice/app.service/memory.max", "3");

        Assert.Equal((2UL, (ulong?)3), CgroupMemory.Read(_root, "/system.slice/app.service"));
    }

    [Fact]
    public void Read_V1_ReadsUsageAndTreatsHugeLimitAsUnlimited()
    {
        Write("memory/memory.usage_in_bytes", "777");
        Write("memory/memory.limit_in_bytes", "9223372036854771712");

        Assert.Equal((777UL, (ulong?)null), CgroupMemory.Read(_root, null));
    }

    [Fact]
    public void Read_NoCgroupFiles_IsZeroWithoutLimit() =>
        Assert.Equal((0UL, (ulong?)null), CgroupMemory.Read(_root, null));

    [Fact]
    public void UnifiedPath_MixedHierarchies_PicksTheV2Line() =>
        Assert.Equal("/user.slice/session-1.scope", CgroupMemory.UnifiedPath("12:memory:/docker/abc\n0::/user.slice/session-1.scope\n"));

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
