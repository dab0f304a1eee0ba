using Propeller.Broker.Credentials;

namespace Propeller.Broker.Provisioning;

/// <summary>
/// <c>propeller provision</c> without Atom: creates tenant, channel and entities directly in the credential
/// store, grants each entity publish and subscribe on the channel, and edits config.toml as the original did.
/// </summary>
internal static class Provisioner
{
    public const int MaxProplets = 1000;

    /// <summary>
    /// Creates (or reuses, by name) a tenant and a channel, then a manager, <paramref name="propletCount"/> proplets
    /// and optionally a proxy, all granted publish and subscribe on the channel. Names left null are random.
    /// If a step fails, the entities created so far are deleted again.
    /// </summary>
    /// <exception cref="ProvisioningException"><paramref name="propletCount"/> is outside 1-1000.</exception>
    /// <exception cref="CredentialStoreException">A name is invalid or the store cannot be written.</exception>
    public static ProvisionResult Provision(
        ICredentialStore store,
        string? tenantName = null,
        string? channelName = null,
        int propletCount = 1,
        bool proxy = true,
        string? managerName = null,
        string? proxyName = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        RequireCount(propletCount, "proplet count");

        var tenant = store.EnsureTenant(tenantName ?? NameGenerator.Next());
        var channel = store.EnsureChannel(tenant.Id, channelName ?? NameGenerator.Next());
        var created = new List<ProvisionedEntity>();
        try
        {
            var manager = CreateConnected(store, channel, EntityRole.Manager, managerName, created);
            var proplets = new List<ProvisionedEntity>(propletCount);
            for (var i = 0; i < propletCount; i++)
            {
                proplets.Add(CreateConnected(store, channel, EntityRole.Proplet, null, created));
            }

            var proxyEntity = proxy ? CreateConnected(store, channel, EntityRole.Proxy, proxyName, created) : null;
            return new ProvisionResult(tenant, channel, manager, proplets, proxyEntity);
        }
        catch
        {
            RollBack(store, created);
            throw;
        }
    }

    /// <summary>
    /// <c>provision add-proplets</c>: reads <c>[manager].tenant_id</c> and <c>channel_id</c> from
    /// <paramref name="configPath"/>, creates <paramref name="count"/> proplets on that channel, and inserts
    /// <c>[proplet&lt;k&gt;]</c> sections (k continuing from the current count) before <c>[proxy]</c>.
    /// </summary>
    /// <exception cref="ProvisioningException">Bad count, unreadable file, missing keys, or a tenant or channel unknown to the store.</exception>
    public static AddPropletsResult AddProplets(ICredentialStore store, string configPath, int count)
    {
        ArgumentNullException.ThrowIfNull(store);
        RequireCount(count, "number of proplets to add");
        var text = ReadConfig(configPath);
        var document = ConfigTomlDocument.Parse(text, configPath);
        var channel = RequireManagerChannel(store, document, configPath);
        var existing = document.CountProplets();

        var created = new List<ProvisionedEntity>();
        try
        {
            var sections = new List<ConfigSection>(count);
            for (var k = existing + 1; k <= existing + count; k++)
            {
                var entity = CreateConnected(store, channel, EntityRole.Proplet, null, created);
                sections.Add(new ConfigSection($"{ConfigTomlDocument.PropletSection}{k}", channel.TenantId, entity.Id, entity.ApiKey, channel.Id));
            }

            ConfigTomlWriter.WriteText(configPath, ConfigTomlWriter.InsertBeforeProxy(text, sections));
            return new AddPropletsResult(sections, existing + count);
        }
        catch
        {
            RollBack(store, created);
            throw;
        }
    }

    /// <summary>
    /// <c>provision add-proxy</c>: creates a proxy entity on the manager's channel and replaces the
    /// <c>[proxy]</c> section of <paramref name="configPath"/> with one for it, at the end of the file.
    /// </summary>
    /// <exception cref="ProvisioningException">Unreadable file, missing keys, or a tenant or channel unknown to the store.</exception>
    public static ConfigSection ReplaceProxy(ICredentialStore store, string configPath, string? proxyName = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var text = ReadConfig(configPath);
        var channel = RequireManagerChannel(store, ConfigTomlDocument.Parse(text, configPath), configPath);

        var created = new List<ProvisionedEntity>();
        try
        {
            var entity = CreateConnected(store, channel, EntityRole.Proxy, proxyName, created);
            var section = new ConfigSection(ConfigTomlDocument.ProxySection, channel.TenantId, entity.Id, entity.ApiKey, channel.Id);
            ConfigTomlWriter.WriteText(configPath, ConfigTomlWriter.ReplaceProxy(text, section));
            return section;
        }
        catch
        {
            RollBack(store, created);
            throw;
        }
    }

    private static ProvisionedEntity CreateConnected(ICredentialStore store, Channel channel, EntityRole role, string? name, List<ProvisionedEntity> created)
    {
        var issued = store.CreateEntity(channel.TenantId, name ?? NameGenerator.Next(), role);
        var entity = new ProvisionedEntity(issued.Entity.Id, issued.Entity.Name, role, issued.ApiKey);
        created.Add(entity);
        store.Grant(entity.Id, channel.Id, ChannelPermissions.PublishSubscribe);
        return entity;
    }

    private static void RollBack(ICredentialStore store, List<ProvisionedEntity> created)
    {
        foreach (var entity in created)
        {
            try
            {
                store.DeleteEntity(entity.Id);
            }
            catch (CredentialStoreException)
            {
                // The original failure is what the caller needs to see.
            }
        }
    }

    private static void RequireCount(int count, string what)
    {
        if (count is < 1 or > MaxProplets)
        {
            throw new ProvisioningException($"The {what} must be between 1 and {MaxProplets}, not {count}.");
        }
    }

    private static string ReadConfig(string configPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configPath);
        try
        {
            return File.ReadAllText(configPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ProvisioningException($"Cannot read {configPath}: {exception.Message}", exception);
        }
    }

    private static Channel RequireManagerChannel(ICredentialStore store, ConfigTomlDocument document, string configPath)
    {
        var tenantId = document.GetString(ConfigTomlDocument.ManagerSection, "tenant_id");
        var channelId = document.GetString(ConfigTomlDocument.ManagerSection, "channel_id");
        if (string.IsNullOrEmpty(tenantId) || string.IsNullOrEmpty(channelId))
        {
            throw new ProvisioningException($"{configPath} has no [manager] tenant_id and channel_id; run provision first.");
        }

        var channel = store.FindChannel(channelId);
        if (channel is null || channel.TenantId != tenantId)
        {
            throw new ProvisioningException(
                $"Channel {channelId} of tenant {tenantId} (from {configPath}) is not in the credential store; was it provisioned with another store?");
        }

        return channel;
    }
}
