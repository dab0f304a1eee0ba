namespace Propeller.Contracts.Mqtt;

/// <summary>The broker refused a subscription (usually an ACL denial).</summary>
public sealed class MqttSubscribeException : Exception
{
    public MqttSubscribeException()
    {
    }

    public MqttSubscribeException(string message)
        : base(message)
    {
    }

    public MqttSubscribeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
