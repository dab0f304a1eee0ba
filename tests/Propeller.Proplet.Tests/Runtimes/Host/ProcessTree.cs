namespace Propeller.Proplet.Tests.Runtimes.Host;

/// <summary>Reads Linux <c>/proc</c> to see which processes are alive.</summary>
internal static class ProcessTree
{
    /// <summary>
    /// True while <paramref name="processId"/> exists and is not a zombie: a killed child that nobody reaped yet
    /// no longer runs.
    /// </summary>
    public static bool IsRunning(int processId)
    {
        try
        {
            var status = File.ReadAllText($"/proc/{processId}/stat");
            var state = status[(status.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The program name of <paramref name="processId"/> (<c>/proc/PID/comm</c>), or null when it is gone.</summary>
    public static string? Name(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId}/comm").TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The direct children of <paramref name="processId"/>.</summary>
    public static IReadOnlyList<int> Children(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId}/task/{processId}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
