namespace Propeller.Testing;

/// <summary>
/// External programs a test needs (mosquitto, clang, postgres...). When CI=true a missing one fails the test;
/// elsewhere the test may skip.
/// </summary>
public static class RequiredTool
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="name"/> on PATH (or an absolute path that exists), else null.</summary>
    public static string? Find(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Returns the tool's path; when it is missing, throws under CI and otherwise returns null so the caller can
    /// return early (xunit v2 has no dynamic skip).
    /// </summary>
    public static string? Require(string name)
    {
        var path = Find(name);
        if (path is null && IsCi)
        {
            throw new Xunit.Sdk.XunitException($"'{name}' is required when CI=true; run scripts/test.sh as root to install it");
        }

        return path;
    }
}
