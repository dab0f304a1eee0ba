using System.Globalization;

namespace Propeller.Proplet.Monitoring;

/// <summary>
/// The container memory use and limit from cgroup v2 (<c>memory.current</c>, <c>memory.max</c>) or, failing that,
/// cgroup v1 (<c>memory.usage_in_bytes</c>, <c>memory.limit_in_bytes</c>).
/// </summary>
internal static class CgroupMemory
{
    public const string DefaultRoot = "/sys/fs/cgroup";

    // cgroup v1 reports "no limit" as a page-rounded long.MaxValue.
    private const ulong UnlimitedThreshold = 1UL << 62;

    /// <summary>
    /// Usage (0 when no cgroup file exists) and limit (null when unlimited or unknown). <paramref name="ownCgroup"/>
    /// is this process's cgroup v2 path from <c>/proc/self/cgroup</c>, checked before the root.
    /// </summary>
    public static (ulong Usage, ulong? Limit) Read(string root, string? ownCgroup)
    {
        var directories = new List<string>();
        if (!string.IsNullOrEmpty(ownCgroup) && ownCgroup != "/")
        {
            directories.Add(Path.Join(root, ownCgroup));
        }

        directories.Add(root);
        foreach (var directory in directories)
        {
            if (ReadNumber(Path.Join(directory, "memory.current")) is { } usage)
            {
                var max = ReadText(Path.Join(directory, "memory.max"));
                return (usage, ParseLimit(max));
            }
        }

        var v1 = Path.Join(root, "memory");
        return ReadNumber(Path.Join(v1, "memory.usage_in_bytes")) is { } v1Usage
            ? (v1Usage, ParseLimit(ReadText(Path.Join(v1, "memory.limit_in_bytes"))))
            : (0, null);
    }

    /// <summary>The cgroup v2 path of the unified hierarchy (<c>0::/path</c>) in <c>/proc/self/cgroup</c> text.</summary>
    public static string? UnifiedPath(string procSelfCgroup)
    {
        ArgumentNullException.ThrowIfNull(procSelfCgroup);
        return procSelfCgroup.Split('\n')
            .FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..].Trim();
    }

    private static ulong? ParseLimit(string? text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit < UnlimitedThreshold
            ? limit
            : null;

    private static ulong? ReadNumber(string path) =>
        ulong.TryParse(ReadText(path), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
