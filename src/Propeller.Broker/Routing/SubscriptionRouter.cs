using System.Buffers;
using System.Collections;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Propeller.Broker.Routing;

/// <summary>
/// Delivers each publish to the sessions whose subscriptions match it, found through an index of the filters.
/// MQTTnet's own dispatch copies the list of every subscribed session and checks each one under that session's
/// lock, so a message costs time linear in the fleet: at 5,000 proplets that was half the broker's CPU and the
/// reason heartbeats fell behind (docs/performance.md). Here a filter without wildcards is a dictionary lookup;
/// the few wildcard filters (managers, proxies, watchers) are matched one by one.
/// </summary>
/// <remarks>
/// The index follows MQTTnet's sessions through its events: a subscription is recorded once authorised, removed
/// on unsubscribe, and a session's whole entry goes when MQTTnet deletes the session or replaces it with a clean
/// one (told apart by the identity of the session's item dictionary).
/// </remarks>
internal sealed class SubscriptionRouter
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Subscribers> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Subscribers> _wildcard = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RoutedSession> _sessions = new(StringComparer.Ordinal);

    public void Subscribed(string clientId, MqttSessionStatus session, IDictionary sessionItems, string filter, MqttQualityOfServiceLevel qualityOfService)
    {
        lock (_lock)
        {
            if (!_sessions.TryGetValue(clientId, out var routed) || !ReferenceEquals(routed.Items, sessionItems))
            {
                if (routed is not null)
                {
                    RemoveLocked(routed);
                }

                routed = new RoutedSession(clientId, session, sessionItems);
                _sessions[clientId] = routed;
            }

            routed.Filters.Add(filter);
            var index = IsWildcard(filter) ? _wildcard : _exact;
            if (!index.TryGetValue(filter, out var subscribers))
            {
                subscribers = new Subscribers();
                index[filter] = subscribers;
            }

            subscribers[routed] = qualityOfService;
        }
    }

    public void Unsubscribed(string clientId, IDictionary sessionItems, string filter)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(clientId, out var routed) && ReferenceEquals(routed.Items, sessionItems) && routed.Filters.Remove(filter))
            {
                RemoveFromIndexLocked(routed, filter);
                if (routed.Filters.Count == 0)
                {
                    _sessions.Remove(clientId);
                }
            }
        }
    }

    /// <summary>A client connected with the session holding <paramref name="sessionItems"/>; an older session of its id is gone.</summary>
    public void Connected(string clientId, IDictionary sessionItems) => Forget(clientId, routed => !ReferenceEquals(routed.Items, sessionItems));

    /// <summary>MQTTnet deleted the session holding <paramref name="sessionItems"/> (expiry, takeover, shutdown).</summary>
    public void SessionDeleted(string clientId, IDictionary? sessionItems) =>
        Forget(clientId, routed => sessionItems is null || ReferenceEquals(routed.Items, sessionItems));

    /// <summary>
    /// Queues <paramref name="message"/> for every subscribed session, once per session at the highest QoS of its
    /// matching filters (capped by the message's), and returns how many sessions matched. A session whose queue is
    /// full drops it, as under MQTTnet's dispatch (its pending-message limit).
    /// </summary>
    public int Route(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var topic = message.Topic;
        Dictionary<RoutedSession, MqttQualityOfServiceLevel>? targets = null;
        lock (_lock)
        {
            if (_exact.TryGetValue(topic, out var exact))
            {
                AddTargets(ref targets, exact);
            }

            foreach (var (filter, subscribers) in _wildcard)
            {
                if (MqttTopicFilterComparer.Compare(topic, filter) == MqttTopicFilterCompareResult.IsMatch)
                {
                    AddTargets(ref targets, subscribers);
                }
            }
        }

        if (targets is null)
        {
            return 0;
        }

        // The publisher's buffer is reused once this publish is processed: copy the payload once for all sessions.
        var payload = message.Payload.IsEmpty ? default : new ReadOnlySequence<byte>(message.Payload.ToArray());
        foreach (var (routed, subscribedQos) in targets)
        {
            var copy = Copy(message, payload, (MqttQualityOfServiceLevel)Math.Min((int)message.QualityOfServiceLevel, (int)subscribedQos));
            routed.Session.TryEnqueueApplicationMessage(copy, out _);
        }

        return targets.Count;
    }

    // Created on the first match, so a message nobody subscribed to allocates nothing.
    private static void AddTargets(ref Dictionary<RoutedSession, MqttQualityOfServiceLevel>? targets, Subscribers subscribers)
    {
        targets ??= new Dictionary<RoutedSession, MqttQualityOfServiceLevel>(subscribers.Count);
        foreach (var (routed, qualityOfService) in subscribers)
        {
            if (!targets.TryGetValue(routed, out var current) || current < qualityOfService)
            {
                targets[routed] = qualityOfService;
            }
        }
    }

    // Retain is false on delivery: a live message is never flagged retained (MQTT 3.1.1 §3.3.1.3).
    private static MqttApplicationMessage Copy(MqttApplicationMessage message, ReadOnlySequence<byte> payload, MqttQualityOfServiceLevel qualityOfService) => new()
    {
        Topic = message.Topic,
        Payload = payload,
        QualityOfServiceLevel = qualityOfService,
        Retain = false,
        ContentType = message.ContentType,
        CorrelationData = message.CorrelationData,
        MessageExpiryInterval = message.MessageExpiryInterval,
        PayloadFormatIndicator = message.PayloadFormatIndicator,
        ResponseTopic = message.ResponseTopic,
        UserProperties = message.UserProperties,
    };

    private void Forget(string clientId, Func<RoutedSession, bool> stale)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(clientId, out var routed) && stale(routed))
            {
                RemoveLocked(routed);
            }
        }
    }

    private void RemoveLocked(RoutedSession routed)
    {
        foreach (var filter in routed.Filters)
        {
            RemoveFromIndexLocked(routed, filter);
        }

        routed.Filters.Clear();
        if (_sessions.TryGetValue(routed.ClientId, out var current) && ReferenceEquals(current, routed))
        {
            _sessions.Remove(routed.ClientId);
        }
    }

    private void RemoveFromIndexLocked(RoutedSession routed, string filter)
    {
        var index = IsWildcard(filter) ? _wildcard : _exact;
        if (index.TryGetValue(filter, out var subscribers) && subscribers.Remove(routed) && subscribers.Count == 0)
        {
            index.Remove(filter);
        }
    }

    private static bool IsWildcard(string filter) => filter.AsSpan().IndexOfAny('+', '#') >= 0;

    private sealed class Subscribers : Dictionary<RoutedSession, MqttQualityOfServiceLevel>;

    private sealed class RoutedSession(string clientId, MqttSessionStatus session, IDictionary items)
    {
        public string ClientId { get; } = clientId;

        public MqttSessionStatus Session { get; } = session;

        public IDictionary Items { get; } = items;

        public HashSet<string> Filters { get; } = new(StringComparer.Ordinal);
    }
}
