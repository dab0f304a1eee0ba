using Propeller.Broker.Credentials;

namespace Propeller.Broker.Authorization;

/// <summary>
/// The broker's ACL: an entity may publish to, and subscribe under, <c>m/{tenant}/c/{channel}/...</c> only for
/// channels it holds a grant on. Tenant and channel segments must be literal in subscription filters, so
/// <c>#</c>, <c>m/#</c> or <c>m/+/c/...</c> never match, while <c>m/t/c/ch/#</c> does.
/// </summary>
internal static class TopicAuthorizer
{
    // m / {tenant} / c / {channel} / {at least one more level}
    private const int MinimumLevels = 5;

    public static bool MayPublish(IReadOnlyList<ChannelGrant> grants, string? topic)
    {
        if (string.IsNullOrEmpty(topic) || topic.Contains('+', StringComparison.Ordinal) || topic.Contains('#', StringComparison.Ordinal))
        {
            return false;
        }

        return TryParseChannel(topic, out var tenantId, out var channelId)
            && IsGranted(grants, tenantId, channelId, ChannelPermissions.Publish);
    }

    public static bool MaySubscribe(IReadOnlyList<ChannelGrant> grants, string? topicFilter)
    {
        if (string.IsNullOrEmpty(topicFilter) || !IsWellFormedFilter(topicFilter))
        {
            return false;
        }

        return TryParseChannel(topicFilter, out var tenantId, out var channelId)
            && !IsWildcard(tenantId)
            && !IsWildcard(channelId)
            && IsGranted(grants, tenantId, channelId, ChannelPermissions.Subscribe);
    }

    private static bool TryParseChannel(string topic, out string tenantId, out string channelId)
    {
        tenantId = channelId = string.Empty;
        var levels = topic.Split('/', MinimumLevels);
        if (levels.Length < MinimumLevels || levels[0] != "m" || levels[2] != "c" || levels[4].Length == 0)
        {
            return false;
        }

        tenantId = levels[1];
        channelId = levels[3];
        return tenantId.Length > 0 && channelId.Length > 0;
    }

    // '#' only as the whole last level, '+' only as a whole level (MQTT 3.1.1 section 4.7.1).
    private static bool IsWellFormedFilter(string filter)
    {
        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Contains('#', StringComparison.Ordinal) && (level.Length != 1 || i != levels.Length - 1))
            {
                return false;
            }

            if (level.Contains('+', StringComparison.Ordinal) && level.Length != 1)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWildcard(string level) => level is "+" or "#";

    private static bool IsGranted(IReadOnlyList<ChannelGrant> grants, string tenantId, string channelId, ChannelPermissions needed)
    {
        foreach (var grant in grants)
        {
            if (grant.ChannelId == channelId && grant.TenantId == tenantId && (grant.Permissions & needed) == needed)
            {
                return true;
            }
        }

        return false;
    }
}
