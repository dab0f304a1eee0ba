namespace Propeller.Broker.Credentials;

/// <summary>One channel an entity may use, with the tenant needed to match <c>m/{tenant}/c/{channel}/</c>.</summary>
internal sealed record ChannelGrant(string TenantId, string ChannelId, ChannelPermissions Permissions);
