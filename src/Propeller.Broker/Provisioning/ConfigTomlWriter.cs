using System.Globalization;
using System.Text;

namespace Propeller.Broker.Provisioning;

/// <summary>
/// Writes config.toml in the original Propeller format: two comment lines, <c>[manager]</c>, then <c>[proplet]</c>
/// (one proplet) or <c>[proplet1]</c>..<c>[propletN]</c>, then <c>[proxy]</c> last; each section holds
/// tenant_id, entity_id, api_key and channel_id as strings, sections separated by a blank line.
/// </summary>
internal static class ConfigTomlWriter
{
    public const string Header =
        "# Propeller Configuration\n" +
        "# Each identity is a Propeller broker entity: MQTT username = entity_id, password = api_key.\n";

    private const string ProxyMarker = "\n[" + ConfigTomlDocument.ProxySection + "]";

    // Containers read the file as another uid (999 in the original compose files).
    private const UnixFileMode FileMode0644 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The sections of a provisioning result, in file order.</summary>
    public static IReadOnlyList<ConfigSection> Sections(ProvisionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sections = new List<ConfigSection> { Section(ConfigTomlDocument.ManagerSection, result, result.Manager) };
        for (var i = 0; i < result.Proplets.Count; i++)
        {
            var name = result.Proplets.Count == 1
                ? ConfigTomlDocument.PropletSection
                : ConfigTomlDocument.PropletSection + (i + 1).ToString(CultureInfo.InvariantCulture);
            sections.Add(Section(name, result, result.Proplets[i]));
        }

        if (result.Proxy is not null)
        {
            sections.Add(Section(ConfigTomlDocument.ProxySection, result, result.Proxy));
        }

        return sections;
    }

    public static string Render(ProvisionResult result)
    {
        var text = new StringBuilder(Header);
        foreach (var section in Sections(result))
        {
            text.Append(RenderSection(section));
        }

        return text.ToString();
    }

    /// <summary>One section, preceded by the blank line that separates it from the previous one.</summary>
    public static string RenderSection(ConfigSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return $"""

            [{section.Name}]
            tenant_id = {Quote(section.TenantId)}
            entity_id = {Quote(section.EntityId)}
            api_key = {Quote(section.ApiKey)}
            channel_id = {Quote(section.ChannelId)}

            """.ReplaceLineEndings("\n");
    }

    /// <summary>Writes the result to <paramref name="path"/>, replacing a file or an empty directory there.</summary>
    /// <exception cref="ProvisioningException">The path is a non-empty directory or cannot be written.</exception>
    public static void Write(string path, ProvisionResult result) => WriteText(path, Render(result));

    /// <summary>Inserts sections just before the first <c>\n[proxy]</c>, or appends them when there is none.</summary>
    public static string InsertBeforeProxy(string text, IEnumerable<ConfigSection> sections)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rendered = string.Concat(sections.Select(RenderSection));
        var at = text.IndexOf(ProxyMarker, StringComparison.Ordinal);
        return at < 0 ? EnsureTrailingNewline(text) + rendered : text.Insert(at, rendered);
    }

    /// <summary>Removes the <c>[proxy]</c> section (up to the next section or the end) and appends <paramref name="proxy"/>.</summary>
    public static string ReplaceProxy(string text, ConfigSection proxy)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = text.IndexOf(ProxyMarker, StringComparison.Ordinal);
        if (start >= 0)
        {
            var next = text.IndexOf("\n[", start + ProxyMarker.Length, StringComparison.Ordinal);
            text = next < 0 ? text[..(start + 1)] : text.Remove(start, next - start);
        }

        return EnsureTrailingNewline(text.TrimEnd('\n')) + RenderSection(proxy);
    }

    /// <summary>Writes <paramref name="text"/> atomically with mode 0644; an empty directory at the path is removed first.</summary>
    public static void WriteText(string path, string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        try
        {
            if (Directory.Exists(fullPath))
            {
                // Docker Compose creates a missing bind-mount source as a directory.
                if (Directory.EnumerateFileSystemEntries(fullPath).Any())
                {
                    throw new ProvisioningException($"{path} is a non-empty directory; remove it or choose another file name.");
                }

                Directory.Delete(fullPath);
            }

            var directory = Path.GetDirectoryName(fullPath)!;
            Directory.CreateDirectory(directory);
            var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
            try
            {
                File.WriteAllText(temporary, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(temporary, FileMode0644);
                }

                File.Move(temporary, fullPath, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ProvisioningException($"Cannot write {path}: {exception.Message}", exception);
        }
    }

    private static ConfigSection Section(string name, ProvisionResult result, ProvisionedEntity entity) =>
        new(name, result.Tenant.Id, entity.Id, entity.ApiKey, result.Channel.Id);

    private static string EnsureTrailingNewline(string text) => text.Length == 0 || text.EndsWith('\n') ? text : text + "\n";

    // A TOML basic string.
    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                '\r' => quoted.Append("\\r"),
                '\t' => quoted.Append("\\t"),
                _ when char.IsControl(c) => quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }
}
