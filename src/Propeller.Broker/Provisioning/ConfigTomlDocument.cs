using System.Globalization;
using Tomlyn;
using Tomlyn.Model;

namespace Propeller.Broker.Provisioning;

/// <summary>A parsed config.toml: sections such as <c>[manager]</c>, <c>[proplet]</c>, <c>[proplet2]</c>, <c>[proxy]</c>.</summary>
internal sealed class ConfigTomlDocument
{
    public const string ManagerSection = "manager";
    public const string PropletSection = "proplet";
    public const string ProxySection = "proxy";

    private readonly TomlTable _root;

    private ConfigTomlDocument(TomlTable root) => _root = root;

    /// <summary>Table names in file order.</summary>
    public IReadOnlyList<string> SectionNames => [.. _root.Where(pair => pair.Value is TomlTable).Select(pair => pair.Key)];

    /// <exception cref="ProvisioningException"><paramref name="text"/> is not valid TOML.</exception>
    public static ConfigTomlDocument Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return new ConfigTomlDocument(TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable());
        }
        catch (TomlException exception)
        {
            throw new ProvisioningException($"{source} is not valid TOML: {exception.Message}", exception);
        }
    }

    /// <summary>A string value, or null when the section or key is missing or not a string.</summary>
    public string? GetString(string section, string key) =>
        _root.TryGetValue(section, out var table) && table is TomlTable t && t.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>The section when it has all four keys as strings, otherwise null.</summary>
    public ConfigSection? GetSection(string name) =>
        (GetString(name, "tenant_id"), GetString(name, "entity_id"), GetString(name, "api_key"), GetString(name, "channel_id")) is
        ({ } tenant, { } entity, { } key, { } channel)
            ? new ConfigSection(name, tenant, entity, key, channel)
            : null;

    /// <summary>
    /// How many proplets the file lists, as the original CLI counts them: the highest N of <c>[propletN]</c>,
    /// else 1 for a lone <c>[proplet]</c>, else 0.
    /// </summary>
    public int CountProplets()
    {
        var highest = 0;
        foreach (var name in SectionNames)
        {
            if (name.Length > PropletSection.Length &&
                name.StartsWith(PropletSection, StringComparison.Ordinal) &&
                int.TryParse(name.AsSpan(PropletSection.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                highest = Math.Max(highest, n);
            }
        }

        return highest > 0 ? highest : SectionNames.Contains(PropletSection) ? 1 : 0;
    }
}
