namespace Propeller.Proxy.Oci;

/// <summary>A registry operation failed; the message is a complete sentence meant for a task's error.</summary>
internal sealed class OciRegistryException : Exception
{
    public OciRegistryException()
    {
    }

    public OciRegistryException(string message)
        : base(message)
    {
    }

    public OciRegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
