namespace Propeller.Broker.Provisioning;

/// <summary>Provisioning failed: bad count, unusable target path, or a config.toml that lacks what is needed.</summary>
internal sealed class ProvisioningException : Exception
{
    public ProvisioningException(string message)
        : base(message)
    {
    }

    public ProvisioningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
