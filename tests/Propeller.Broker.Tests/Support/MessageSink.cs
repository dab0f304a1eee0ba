using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using MQTTnet;

namespace Propeller.Broker.Tests.Support;

/// <summary>Collects the messages a client receives.</summary>
internal sealed class MessageSink
{
    private readonly ConcurrentQueue<ReceivedMessage> _messages = new();

    public MessageSink(IMqttClient client) =>
        client.ApplicationMessageReceivedAsync += args =>
        {
            var message = args.ApplicationMessage;
            _messages.Enqueue(new ReceivedMessage(message.Topic, message.Payload.ToArray()));
            return Task.CompletedTask;
        };

    public IReadOnlyList<ReceivedMessage> Messages => [.. _messages];

    public Task<ReceivedMessage> WaitForAsync(string topic) =>
        Eventually.WaitAsync(() => _messages.FirstOrDefault(m => m.Topic == topic), $"a message on {topic}");
}

internal sealed record ReceivedMessage(string Topic, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload);
}
