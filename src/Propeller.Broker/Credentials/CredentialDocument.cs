using System.Text.Json.Serialization;

namespace Propeller.Broker.Credentials;

/// <summary>The credential store as written to its JSON file.</summary>
internal sealed class CredentialDocument
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public List<Tenant> Tenants { get; set; } = [];

    public List<Channel> Channels { get; set; } = [];

    public List<EntityRecord> Entities { get; set; } = [];

    public List<GrantRecord> Grants { get; set; } = [];
}

/// <summary>An entity with its key hash; never leaves the store.</summary>
internal sealed record EntityRecord(string Id, string Name, EntityRole Role, string TenantId, DateTimeOffset CreatedAt, KeyHash Key)
{
    public Entity ToEntity() => new(Id, Name, Role, TenantId, CreatedAt);
}

/// <summary>Publish and/or subscribe rights of one entity on one channel.</summary>
internal sealed record GrantRecord(string EntityId, string ChannelId, bool Publish, bool Subscribe)
{
    [JsonIgnore]
    public ChannelPermissions Permissions =>
        (Publish ? ChannelPermissions.Publish : ChannelPermissions.None) |
        (Subscribe ? ChannelPermissions.Subscribe : ChannelPermissions.None);
}
