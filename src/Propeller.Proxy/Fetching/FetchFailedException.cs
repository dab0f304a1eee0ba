namespace Propeller.Proxy.Fetching;

/// <summary>A fetch job failed; the message is the complete sentence sent as the <c>registry/status</c> error.</summary>
internal sealed class FetchFailedException : Exception
{
    public FetchFailedException()
    {
    }

    public FetchFailedException(string message)
        : base(message)
    {
    }

    public FetchFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
