namespace Propeller.Manager.Storage;

/// <summary>The entity already exists or is in a state that forbids the change; the API answers 409.</summary>
internal sealed class EntityConflictException : Exception
{
    public EntityConflictException()
    {
    }

    public EntityConflictException(string message)
        : base(message)
    {
    }

    public EntityConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
