namespace Propeller.Broker.Provisioning;

/// <summary>One table of config.toml: <c>[name]</c> with tenant_id, entity_id, api_key and channel_id.</summary>
internal sealed record ConfigSection(string Name, string TenantId, string EntityId, string ApiKey, string ChannelId)
{
    public override string ToString() => $"ConfigSection {{ Name = {Name}, EntityId = {EntityId}, ApiKey = *** }}";
}
