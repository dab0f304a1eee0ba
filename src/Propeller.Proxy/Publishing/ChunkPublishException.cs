namespace Propeller.Proxy.Publishing;

/// <summary>A chunk could not be published even after retries; the message is meant for the task's error.</summary>
internal sealed class ChunkPublishException : Exception
{
    public ChunkPublishException()
    {
    }

    public ChunkPublishException(string message)
        : base(message)
    {
    }

    public ChunkPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
