namespace Propeller.Manager.Workflows;

/// <summary>The dependencies form a cycle, a task depending on itself included.</summary>
internal sealed class CircularDependencyException : DagValidationException
{
    public CircularDependencyException()
    {
    }

    public CircularDependencyException(string message)
        : base(message)
    {
    }

    public CircularDependencyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public override DagValidationException WithPrefix(string prefix) => new CircularDependencyException(prefix + Message, this);
}
