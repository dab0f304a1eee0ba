namespace Propeller.Proplet.Tasks;

/// <summary>The guest environment of a task (proplet-reference §2.1 step 10).</summary>
internal static class TaskEnvironment
{
    public const string PropletIdVariable = "PROPLET_ID";

    /// <summary>The requested variables plus <c>PROPLET_ID</c>, which the request may override.</summary>
    public static IReadOnlyDictionary<string, string> Build(IReadOnlyDictionary<string, string>? requested, string propletId)
    {
        var environment = requested is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(requested, StringComparer.Ordinal);
        environment.TryAdd(PropletIdVariable, propletId);
        return environment;
    }
}
