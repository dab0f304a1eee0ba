namespace Propeller.Manager.Errors;

/// <summary>The proplet answered an invocation with an error; the API answers 502 with the proplet's message.</summary>
internal sealed class InvocationFailedException : Exception
{
    public InvocationFailedException()
    {
    }

    public InvocationFailedException(string message)
        : base(message)
    {
    }

    public InvocationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
