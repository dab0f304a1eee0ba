namespace Propeller.Testing;

/// <summary>
/// External programs a test needs (mosquitto, clang, node...). A missing one fails the test; there are no skips.
/// </summary>
public static class RequiredTool
{
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
    /// The tool's path. A missing tool fails the test (never a skip): scripts/test.sh installs every tool the tests use.
    /// </summary>
    public static string Require(string name) =>
        Find(name) ?? throw new Xunit.Sdk.XunitException($"'{name}' is required by this test; run scripts/test.sh as root to install it");
}
