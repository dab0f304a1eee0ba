namespace Propeller.Manager.Scheduling;

/// <summary>No proplet can take the task right now (none known, none alive); the API answers 409.</summary>
internal sealed class PropletSelectionException : Exception
{
    public PropletSelectionException()
    {
    }

    public PropletSelectionException(string message)
        : base(message)
    {
    }

    public PropletSelectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
