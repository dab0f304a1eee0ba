namespace Propeller.Proplet.Runtimes.Host;

/// <summary>
/// The environment of the external runtime's process (DECISIONS §4 Proplet 8): the task environment (which holds
/// <c>PROPLET_ID</c>) over <c>PATH</c>, <c>HOME</c> and <c>LANG</c> from the proplet. Nothing else of the
/// proplet's own environment, so credentials such as <c>PROPLET_API_KEY</c> never reach the child.
/// </summary>
internal static class ChildEnvironment
{
    public const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";

    private static readonly string[] Inherited = ["PATH", "HOME", "LANG"];

    public static IReadOnlyDictionary<string, string> Build(
        IReadOnlyDictionary<string, string> taskEnvironment, Func<string, string?> processEnvironment)
    {
        ArgumentNullException.ThrowIfNull(taskEnvironment);
        ArgumentNullException.ThrowIfNull(processEnvironment);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = DefaultPath };
        foreach (var name in Inherited)
        {
            if (processEnvironment(name) is { Length: > 0 } value)
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in taskEnvironment)
        {
            // A process environment cannot hold these; the guest still gets them through --env.
            if (name.Length > 0 && !name.Contains('=', StringComparison.Ordinal) && !name.Contains('\0', StringComparison.Ordinal)
                && !value.Contains('\0', StringComparison.Ordinal))
            {
                environment[name] = value;
            }
        }

        return environment;
    }
}
