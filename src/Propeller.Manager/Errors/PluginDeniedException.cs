namespace Propeller.Manager.Errors;

/// <summary>A plugin refused the request, or could not answer an authorization (it fails closed); the API answers 403 with the reason.</summary>
internal sealed class PluginDeniedException : Exception
{
    public PluginDeniedException()
    {
    }

    public PluginDeniedException(string message)
        : base(message)
    {
    }

    public PluginDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
