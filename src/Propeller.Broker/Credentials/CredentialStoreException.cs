namespace Propeller.Broker.Credentials;

/// <summary>A credential store operation failed: unknown id, invalid name, unreadable or unwritable file.</summary>
internal sealed class CredentialStoreException : Exception
{
    public CredentialStoreException(string message)
        : base(message)
    {
    }

    public CredentialStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
