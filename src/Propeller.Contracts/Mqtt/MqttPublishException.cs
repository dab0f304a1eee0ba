namespace Propeller.Contracts.Mqtt;

/// <summary>A message could not be handed to the broker.</summary>
public sealed class MqttPublishException : Exception
{
    public MqttPublishException()
    {
    }

    public MqttPublishException(string message)
        : base(message)
    {
    }

    public MqttPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
