namespace Propeller.Manager.Errors;

/// <summary>No proplet answered an invocation within <c>MANAGER_INVOKE_TIMEOUT</c>; the API answers 504.</summary>
internal sealed class InvocationTimeoutException : Exception
{
    public InvocationTimeoutException()
    {
    }

    public InvocationTimeoutException(string message)
        : base(message)
    {
    }

    public InvocationTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
