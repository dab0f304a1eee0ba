using System.Globalization;

namespace Propeller.Proplet.Monitoring;

/// <summary>The kernel id of the calling thread, which names its <c>/proc/self/task/[tid]</c> directory.</summary>
internal static class OsThread
{
    /// <summary>
    /// The calling thread's Linux thread id, read from the <c>/proc/thread-self</c> link (<c>[pid]/task/[tid]</c>);
    /// null off Linux or when <c>/proc</c> is not mounted.
    /// </summary>
    public static int? CurrentId()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return ParseThreadSelfLink(new FileInfo("/proc/thread-self").LinkTarget);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The thread id at the end of a <c>/proc/thread-self</c> link target such as <c>1234/task/1240</c>.</summary>
    public static int? ParseThreadSelfLink(string? target)
    {
        var slash = target?.LastIndexOf('/') ?? -1;
        return slash >= 0 && int.TryParse(target.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }
}
