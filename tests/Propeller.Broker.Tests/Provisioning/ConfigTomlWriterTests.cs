using Propeller.Broker.Credentials;
using Propeller.Broker.Provisioning;
using Propeller.Broker.Tests.Support;
using Tomlyn;
using Tomlyn.Model;

namespace Propeller.Broker.Tests.Provisioning;

public sealed class ConfigTomlWriterTests
{
    [Fact]
    public void Render_OneProplet_IsTheOriginalFormat()
    {
        var result = Result(propletCount: 1);

        var text = ConfigTomlWriter.Render(result);

        var expected = ConfigTomlWriter.Header + string.Concat(
            new[] { ("manager", result.Manager), ("proplet", result.Proplets[0]), ("proxy", result.Proxy!) }.Select(s => $"""

                [{s.Item1}]
                tenant_id = "{result.Tenant.Id}"
                entity_id = "{s.Item2.Id}"
                api_key = "{s.Item2.ApiKey}"
                channel_id = "{result.Channel.Id}"

                """.ReplaceLineEndings("\n")));
        Assert.Equal(expected, text);
        Assert.StartsWith("# Propeller Configuration\n# ", text, StringComparison.Ordinal);
        Assert.Equal(2, text.Split('\n').TakeWhile(l => l.StartsWith('#')).Count());
    }

    [Theory]
    [InlineData(1, new[] { "manager", "proplet", "proxy" })]
    [InlineData(3, new[] { "manager", "proplet1", "proplet2", "proplet3", "proxy" })]
    public void Write_ParsesBackWithTheRightSections(int propletCount, string[] sections)
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        var result = Result(propletCount);

        ConfigTomlWriter.Write(path, result);

        var text = File.ReadAllText(path);
        var model = TomlSerializer.Deserialize<TomlTable>(text)!;
        Assert.Equal(sections, model.Keys);
        Assert.Equal(sections, ConfigTomlDocument.Parse(text, path).SectionNames);
        var entityIds = new List<string>();
        foreach (var name in sections)
        {
            var section = (TomlTable)model[name];
            Assert.Equal(["tenant_id", "entity_id", "api_key", "channel_id"], section.Keys);
            Assert.Equal(result.Tenant.Id, section["tenant_id"]);
            Assert.Equal(result.Channel.Id, section["channel_id"]);
            entityIds.Add((string)section["entity_id"]);
        }

        Assert.Equal([result.Manager.Id, .. result.Proplets.Select(p => p.Id), result.Proxy!.Id], entityIds);
        Assert.Equal(result.Proplets[^1].ApiKey, ConfigTomlDocument.Parse(text, path).GetSection(sections[^2])!.ApiKey);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Write_OverExistingFile_ReplacesIt()
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        File.WriteAllText(path, "stale = true\n");

        ConfigTomlWriter.Write(path, Result(1));

        Assert.DoesNotContain("stale", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OverEmptyDirectory_RemovesItFirst()
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        Directory.CreateDirectory(path);

        ConfigTomlWriter.Write(path, Result(1));

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Write_OverNonEmptyDirectory_ThrowsClearError()
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "keep.txt"), "x");

        var error = Assert.Throws<ProvisioningException>(() => ConfigTomlWriter.Write(path, Result(1)));

        Assert.Contains("non-empty directory", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(path, "keep.txt")));
    }

    [Fact]
    public void RenderSection_QuotesSpecialCharactersAsTomlStrings()
    {
        var text = ConfigTomlWriter.RenderSection(new ConfigSection("manager", "t\"1", "e\\1", "k\n1", "c\u00011"));

        var section = (TomlTable)TomlSerializer.Deserialize<TomlTable>(text)!["manager"];
        Assert.Equal(["t\"1", "e\\1", "k\n1", "c\u00011"], section.Values.Cast<string>());
    }

    private static ProvisionResult Result(int propletCount) =>
        Provisioner.Provision(CredentialStore.InMemory(), "acme", "fleet", propletCount);
}
