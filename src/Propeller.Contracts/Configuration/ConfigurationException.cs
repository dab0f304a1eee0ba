namespace Propeller.Contracts.Configuration;

/// <summary>A setting is missing or invalid; the message names it.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
    {
    }

    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
