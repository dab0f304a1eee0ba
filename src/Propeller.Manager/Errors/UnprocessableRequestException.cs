namespace Propeller.Manager.Errors;

/// <summary>The request is well formed but cannot be carried out as asked (missing dependencies, a cycle, unmet dependencies); the API answers 422.</summary>
internal sealed class UnprocessableRequestException : Exception
{
    public UnprocessableRequestException()
    {
    }

    public UnprocessableRequestException(string message)
        : base(message)
    {
    }

    public UnprocessableRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
