namespace Propeller.Manager.Errors;

/// <summary>The request is malformed or a value is invalid; the API answers 400.</summary>
internal sealed class InvalidRequestException : Exception
{
    public InvalidRequestException()
    {
    }

    public InvalidRequestException(string message)
        : base(message)
    {
    }

    public InvalidRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
