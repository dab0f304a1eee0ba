namespace Propeller.Contracts.Topics;

/// <summary>
/// Builds the namespaced topics <c>m/{tenant}/c/{channel}/...</c>. Nothing is escaped, as in the original.
/// </summary>
public sealed class TopicBuilder
{
    public TopicBuilder(string tenantId, string channelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(channelId);
        TenantId = tenantId;
        ChannelId = channelId;
        BaseTopic = $"m/{tenantId}/c/{channelId}";
    }

    public string TenantId { get; }

    public string ChannelId { get; }

    /// <summary>The prefix without a trailing slash: <c>m/{tenant}/c/{channel}</c>.</summary>
    public string BaseTopic { get; }

    /// <summary>Every topic of this channel: <c>m/{tenant}/c/{channel}/#</c>.</summary>
    public string AllTopics => BaseTopic + "/#";

    public string For(string suffix) => $"{BaseTopic}/{suffix}";

    public string PropletCreate => For(TopicSuffixes.PropletCreate);

    public string PropletAlive => For(TopicSuffixes.PropletAlive);

    public string PropletMetrics => For(TopicSuffixes.PropletMetrics);

    public string PropletTaskMetrics => For(TopicSuffixes.PropletTaskMetrics);

    public string PropletResults => For(TopicSuffixes.PropletResults);

    public string PropletInvokeResults => For(TopicSuffixes.PropletInvokeResults);

    public string ManagerStart => For(TopicSuffixes.ManagerStart);

    public string ManagerStop => For(TopicSuffixes.ManagerStop);

    public string ManagerInvoke => For(TopicSuffixes.ManagerInvoke);

    /// <summary>Ours: the start topic of one proplet that announced <c>direct_control</c>.</summary>
    public string ManagerStartFor(string propletId) => $"{ManagerStart}/{DirectTopicSegment(propletId)}";

    /// <summary>Ours: the stop topic of one proplet that announced <c>direct_control</c>.</summary>
    public string ManagerStopFor(string propletId) => $"{ManagerStop}/{DirectTopicSegment(propletId)}";

    /// <summary>Whether <paramref name="propletId"/> can name a topic level (no wildcard, separator or NUL).</summary>
    public static bool IsTopicSafe(string propletId) =>
        !string.IsNullOrEmpty(propletId) && propletId.AsSpan().IndexOfAny("/+#\0") < 0;

    private static string DirectTopicSegment(string propletId) =>
        IsTopicSafe(propletId)
            ? propletId
            : throw new ArgumentException($"Proplet id '{propletId}' cannot be a topic level.", nameof(propletId));

    public string ManagerDiscover => For(TopicSuffixes.ManagerDiscover);

    public string RegistryProplet => For(TopicSuffixes.RegistryProplet);

    public string RegistryServer => For(TopicSuffixes.RegistryServer);

    public string RegistryStatus => For(TopicSuffixes.RegistryStatus);

    public string FlRoundsStart => For(TopicSuffixes.FlRoundsStart);

    /// <summary>
    /// The part of <paramref name="topic"/> after this channel's prefix, or null when the topic belongs elsewhere.
    /// </summary>
    public string? SuffixOf(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var prefix = BaseTopic + "/";
        return topic.StartsWith(prefix, StringComparison.Ordinal) ? topic[prefix.Length..] : null;
    }
}
