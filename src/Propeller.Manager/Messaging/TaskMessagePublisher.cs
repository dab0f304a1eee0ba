using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;

namespace Propeller.Manager.Messaging;

/// <summary>What the manager sends to proplets: start, stop and invoke commands (manager-reference §3.5), and our discover request.</summary>
internal sealed class TaskMessagePublisher(PropellerMqttClient client, TopicBuilder topics)
{
    /// <summary>Throws <see cref="MqttPublishException"/> when the broker cannot be reached in time.</summary>
    public Task PublishStartAsync(StartMessage message, CancellationToken cancellationToken) =>
        client.PublishAsync(topics.ManagerStart, message, PropellerJsonContext.Default.StartMessage, cancellationToken);

    /// <summary>Throws <see cref="MqttPublishException"/> when the broker cannot be reached in time.</summary>
    public Task PublishStopAsync(StopMessage message, CancellationToken cancellationToken) =>
        client.PublishAsync(topics.ManagerStop, message, PropellerJsonContext.Default.StopMessage, cancellationToken);

    /// <summary>Throws <see cref="MqttPublishException"/> when the broker cannot be reached in time.</summary>
    public Task PublishInvokeAsync(InvokeMessage message, CancellationToken cancellationToken) =>
        client.PublishAsync(topics.ManagerInvoke, message, PropellerJsonContext.Default.InvokeMessage, cancellationToken);

    /// <summary>Throws <see cref="MqttPublishException"/> when the broker cannot be reached in time.</summary>
    public Task PublishDiscoverRequestAsync(string managerId, CancellationToken cancellationToken) =>
        client.PublishAsync(topics.ManagerDiscover, new DiscoverRequestMessage { ManagerId = managerId }, PropellerJsonContext.Default.DiscoverRequestMessage, cancellationToken);
}
