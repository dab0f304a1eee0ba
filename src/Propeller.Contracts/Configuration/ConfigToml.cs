using Tomlyn;
using Tomlyn.Model;

namespace Propeller.Contracts.Configuration;

/// <summary>Reads string keys from one table of an original-format <c>config.toml</c>.</summary>
public static class ConfigToml
{
    /// <summary>
    /// The string values of table <paramref name="section"/>, or null when the table is missing.
    /// Throws <see cref="ConfigurationException"/> when the file cannot be read or parsed.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? ReadSection(string path, string section)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"config file '{path}' not accessible: {ex.Message}", ex);
        }

        TomlTable root;
        try
        {
            root = (TomlTable)TomlSerializer.Deserialize(text, typeof(TomlTable), (TomlSerializerOptions?)null)!;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ConfigurationException($"config file '{path}' is not valid TOML: {ex.Message}", ex);
        }

        if (!root.TryGetValue(section, out var value) || value is not TomlTable table)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, item) in table)
        {
            if (item is string s)
            {
                values[key] = s;
            }
        }

        return values;
    }
}
