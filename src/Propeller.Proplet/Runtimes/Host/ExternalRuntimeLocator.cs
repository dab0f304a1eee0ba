namespace Propeller.Proplet.Runtimes.Host;

/// <summary>
/// Finds the program <c>PROPLET_EXTERNAL_WASM_RUNTIME</c> names (proplet-reference §3.1): a value with a
/// directory separator is a path, a bare name is looked up on <c>PATH</c>.
/// </summary>
internal static class ExternalRuntimeLocator
{
    /// <summary>The full path of the runtime, or null when <paramref name="configured"/> is unset or not found.</summary>
    public static string? Locate(string? configured, string? searchPath)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }

        var name = configured.Trim();
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        }

        foreach (var directory in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }

    /// <summary>Looks <paramref name="configured"/> up on this process's <c>PATH</c>.</summary>
    public static string? Locate(string? configured) => Locate(configured, Environment.GetEnvironmentVariable("PATH"));
}
