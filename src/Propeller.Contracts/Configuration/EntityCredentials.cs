namespace Propeller.Contracts.Configuration;

/// <summary>The four identity settings every component needs: tenant, channel, entity id and API key.</summary>
public sealed record EntityCredentials(string TenantId, string ChannelId, string EntityId, string ApiKey)
{
    public const string TenantKey = "tenant_id";
    public const string ChannelKey = "channel_id";
    public const string EntityKey = "entity_id";
    public const string ApiKeyKey = "api_key";

    /// <summary>
    /// Resolves credentials from <c>{prefix}TENANT_ID</c>, <c>{prefix}CHANNEL_ID</c>, <c>{prefix}ENTITY_ID</c> and
    /// <c>{prefix}API_KEY</c>; any value still missing is taken from table <paramref name="section"/> of
    /// <paramref name="configFile"/> (the file must then exist and hold the key).
    /// </summary>
    public static EntityCredentials Resolve(
        string prefix, Func<string, string?> environment, string configFile, string section)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Env(string name) => NullIfEmpty(environment(prefix + name));

        var tenant = Env("TENANT_ID");
        var channel = Env("CHANNEL_ID");
        var entity = Env("ENTITY_ID");
        var key = Env("API_KEY");
        if (tenant is not null && channel is not null && entity is not null && key is not null)
        {
            return new EntityCredentials(tenant, channel, entity, key);
        }

        if (!File.Exists(configFile))
        {
            var missing = new[] { (tenant, TenantKey, "TENANT_ID"), (channel, ChannelKey, "CHANNEL_ID"), (entity, EntityKey, "ENTITY_ID"), (key, ApiKeyKey, "API_KEY") }
                .Where(x => x.Item1 is null)
                .Select(x => $"{x.Item2}/{prefix}{x.Item3}");
            throw new ConfigurationException(
                $"missing required {section} configuration: {string.Join(", ", missing)} (and config file '{configFile}' not found)");
        }

        var table = ConfigToml.ReadSection(configFile, section)
            ?? throw new ConfigurationException($"config file '{configFile}' has no [{section}] table");

        string FromFile(string? current, string tomlKey, string envName) =>
            current ?? (table.TryGetValue(tomlKey, out var v) && !string.IsNullOrEmpty(v)
                ? v
                : throw new ConfigurationException(
                    $"missing required {section} configuration: {tomlKey}/{prefix}{envName}"));

        return new EntityCredentials(
            FromFile(tenant, TenantKey, "TENANT_ID"),
            FromFile(channel, ChannelKey, "CHANNEL_ID"),
            FromFile(entity, EntityKey, "ENTITY_ID"),
            FromFile(key, ApiKeyKey, "API_KEY"));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
