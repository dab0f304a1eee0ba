namespace Propeller.Broker.Credentials;

/// <summary>
/// Tenants, channels, entities with hashed API keys, and channel grants: everything the broker needs to
/// authenticate a CONNECT and authorise a topic. Implementations are thread-safe.
/// </summary>
internal interface ICredentialStore
{
    /// <summary>Returns the tenant with this name, creating it when there is none.</summary>
    Tenant EnsureTenant(string name);

    Tenant? FindTenant(string tenantId);

    /// <summary>Returns the tenant's channel with this name, creating it when there is none.</summary>
    Channel EnsureChannel(string tenantId, string name);

    Channel? FindChannel(string channelId);

    /// <summary>Creates an entity with a new API key; the key is returned here and never again.</summary>
    IssuedCredentials CreateEntity(string tenantId, string name, EntityRole role);

    Entity? FindEntity(string entityId);

    /// <summary>Replaces the entity's API key with a new one and returns it; the old key stops working.</summary>
    string IssueKey(string entityId);

    /// <summary>Deletes the entity and its grants; false when it did not exist.</summary>
    bool DeleteEntity(string entityId);

    /// <summary>Adds <paramref name="permissions"/> to what the entity may do on a channel of its own tenant.</summary>
    void Grant(string entityId, string channelId, ChannelPermissions permissions);

    /// <summary>Removes every permission the entity had on the channel; false when it had none.</summary>
    bool Revoke(string entityId, string channelId);

    /// <summary>The entity when <paramref name="apiKey"/> is its key, otherwise null (in constant time).</summary>
    Entity? Authenticate(string entityId, string apiKey);

    /// <summary>The channels the entity may use; empty for an unknown entity.</summary>
    IReadOnlyList<ChannelGrant> GetGrants(string entityId);
}
