namespace Propeller.Manager.Workflows;

/// <summary>
/// A task graph that cannot run: a dependency that is not in the graph or a cycle. The API answers 422
/// (DECISIONS §4 Manager 3); the two kinds are separate types so callers can tell them apart.
/// </summary>
internal abstract class DagValidationException : Exception
{
    protected DagValidationException()
    {
    }

    protected DagValidationException(string message)
        : base(message)
    {
    }

    protected DagValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The same error with <paramref name="prefix"/> in front of its message (jobs name the check that failed).</summary>
    public abstract DagValidationException WithPrefix(string prefix);
}
