using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Messaging;

/// <summary>What the manager sends to proplets: start, stop and invoke commands (manager-reference §3.5), and our discover request.</summary>
/// <remarks>
/// A start or stop for one proplet that announced <c>direct_control</c> goes to its own topic; everything else, and
/// everything for an original proplet, to the channel-wide topic, with the same payload either way.
/// </remarks>
internal sealed class TaskMessagePublisher(PropellerMqttClient client, TopicBuilder topics, DirectControlProplets direct)
{
    /// <summary>Throws <see cref="MqttPublishException"/> when the broker cannot be reached in time.</summary>
    public Task PublishStartAsync(StartMessage message, CancellationToken cancellationToken)
    {
        var topic = !message.Broadcast && direct.Accepts(message.PropletId)
            ? topics.ManagerStartFor(message.PropletId!)
            : topics.ManagerStart;
        return client.PublishAsync(topic, message, PropellerJsonContext.Default.StartMessage, cancellationToken);
    }

    /// <summary>Throws <see cref="MqttPublishException"/> when the broker cannot be reached in time.</summary>
    public Task PublishStopAsync(StopMessage message, CancellationToken cancellationToken)
    {
        var topic = message.Broadcast != true && direct.Accepts(message.PropletId)
            ? topics.ManagerStopFor(message.PropletId!)
            : topics.ManagerStop;
        return client.PublishAsync(topic, message, PropellerJsonContext.Default.StopMessage, cancellationToken);
    }

    /// <summary>Throws <see cref="MqttPublishException"/> when the broker cannot be reached in time.</summary>
    public Task PublishInvokeAsync(InvokeMessage message, CancellationToken cancellationToken) =>
        client.PublishAsync(topics.ManagerInvoke, message, PropellerJsonContext.Default.InvokeMessage, cancellationToken);

    /// <summary>Throws <see cref="MqttPublishException"/> when the broker cannot be reached in time.</summary>
    public Task PublishDiscoverRequestAsync(string managerId, CancellationToken cancellationToken) =>
        client.PublishAsync(topics.ManagerDiscover, new DiscoverRequestMessage { ManagerId = managerId }, PropellerJsonContext.Default.DiscoverRequestMessage, cancellationToken);
}
