namespace Propeller.Manager.Workflows;

/// <summary>A <c>depends_on</c> entry names a task that is not in the graph.</summary>
internal sealed class MissingDependencyException : DagValidationException
{
    public MissingDependencyException()
    {
    }

    public MissingDependencyException(string message)
        : base(message)
    {
    }

    public MissingDependencyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public override DagValidationException WithPrefix(string prefix) => new MissingDependencyException(prefix + Message, this);
}
