namespace Propeller.Manager.Errors;

/// <summary>The manager is shutting down and refuses new work; the API answers 503.</summary>
internal sealed class ServiceShuttingDownException : Exception
{
    public ServiceShuttingDownException()
    {
    }

    public ServiceShuttingDownException(string message)
        : base(message)
    {
    }

    public ServiceShuttingDownException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
