namespace Propeller.Proplet.Tasks;

/// <summary>An accepted task cannot run; <see cref="Exception.Message"/> is the error text published as its result.</summary>
internal sealed class TaskFailedException : Exception
{
    public TaskFailedException()
    {
    }

    public TaskFailedException(string message)
        : base(message)
    {
    }

    public TaskFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
