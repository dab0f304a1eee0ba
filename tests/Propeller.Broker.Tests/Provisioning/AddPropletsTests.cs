using Propeller.Broker.Credentials;
using Propeller.Broker.Provisioning;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Provisioning;

public sealed class AddPropletsTests
{
    [Fact]
    public void AddProplets_AfterThree_InsertsProplet4And5BeforeProxy()
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        var store = CredentialStore.InMemory();
        var provisioned = Provisioner.Provision(store, "acme", "fleet", propletCount: 3);
        ConfigTomlWriter.Write(path, provisioned);
        var before = File.ReadAllText(path);

        var result = Provisioner.AddProplets(store, path, 2);

        var text = File.ReadAllText(path);
        var document = ConfigTomlDocument.Parse(text, path);
        Assert.Equal(["manager", "proplet1", "proplet2", "proplet3", "proplet4", "proplet5", "proxy"], document.SectionNames);
        Assert.Equal(5, result.Total);
        Assert.Equal(["proplet4", "proplet5"], result.Added.Select(s => s.Name));
        var proxyAt = before.IndexOf("\n[proxy]", StringComparison.Ordinal);
        Assert.Equal(before[..proxyAt], text[..proxyAt]);
        Assert.EndsWith(before[proxyAt..], text, StringComparison.Ordinal);
        Assert.Contains("\"\n\n[proplet4]\n", text, StringComparison.Ordinal);
        Assert.Contains("\"\n\n[proxy]\n", text, StringComparison.Ordinal);
        foreach (var added in result.Added)
        {
            Assert.Equal(added, document.GetSection(added.Name));
            Assert.Equal(provisioned.Tenant.Id, added.TenantId);
            Assert.Equal(provisioned.Channel.Id, added.ChannelId);
            Assert.Equal(EntityRole.Proplet, store.Authenticate(added.EntityId, added.ApiKey)?.Role);
            Assert.Equal(ChannelPermissions.PublishSubscribe, Assert.Single(store.GetGrants(added.EntityId)).Permissions);
        }
    }

    [Fact]
    public void AddProplets_ToLoneProplet_AddsProplet2AsTheOriginalDid()
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        var store = CredentialStore.InMemory();
        ConfigTomlWriter.Write(path, Provisioner.Provision(store, "acme", "fleet", propletCount: 1));

        var result = Provisioner.AddProplets(store, path, 1);

        Assert.Equal(["manager", "proplet", "proplet2", "proxy"], ConfigTomlDocument.Parse(File.ReadAllText(path), path).SectionNames);
        Assert.Equal(2, result.Total);
    }

    [Fact]
    public void AddProplets_WithoutProxySection_AppendsAtTheEnd()
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        var store = CredentialStore.InMemory();
        ConfigTomlWriter.Write(path, Provisioner.Provision(store, "acme", "fleet", propletCount: 2, proxy: false));

        Provisioner.AddProplets(store, path, 1);

        Assert.Equal(["manager", "proplet1", "proplet2", "proplet3"], ConfigTomlDocument.Parse(File.ReadAllText(path), path).SectionNames);
    }

    [Fact]
    public void AddProplets_WithoutManagerIds_ThrowsClearError()
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        File.WriteAllText(path, "[manager]\nentity_id = \"x\"\n");

        var error = Assert.Throws<ProvisioningException>(() => Provisioner.AddProplets(CredentialStore.InMemory(), path, 1));

        Assert.Contains("tenant_id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddProplets_ChannelUnknownToTheStore_ThrowsClearErrorAndLeavesFile()
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        ConfigTomlWriter.Write(path, Provisioner.Provision(CredentialStore.InMemory(), "acme", "fleet"));
        var before = File.ReadAllText(path);

        var error = Assert.Throws<ProvisioningException>(() => Provisioner.AddProplets(CredentialStore.InMemory(), path, 1));

        Assert.Contains("not in the credential store", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Theory]
    [InlineData("not = [valid")]
    [InlineData("")]
    public void AddProplets_InvalidOrEmptyFile_ThrowsClearError(string content)
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        File.WriteAllText(path, content);

        var error = Assert.Throws<ProvisioningException>(() => Provisioner.AddProplets(CredentialStore.InMemory(), path, 1));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddProplets_MissingFile_ThrowsClearError()
    {
        using var directory = new TempDirectory();

        var error = Assert.Throws<ProvisioningException>(() => Provisioner.AddProplets(CredentialStore.InMemory(), directory.File("none.toml"), 1));

        Assert.Contains("Cannot read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplaceProxy_SwapsTheProxySectionAndKeepsItLast()
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        var store = CredentialStore.InMemory();
        var provisioned = Provisioner.Provision(store, "acme", "fleet", propletCount: 2);
        ConfigTomlWriter.Write(path, provisioned);
        Provisioner.AddProplets(store, path, 1);

        var proxy = Provisioner.ReplaceProxy(store, path);

        var text = File.ReadAllText(path);
        var document = ConfigTomlDocument.Parse(text, path);
        Assert.Equal(["manager", "proplet1", "proplet2", "proplet3", "proxy"], document.SectionNames);
        Assert.Equal(proxy, document.GetSection("proxy"));
        Assert.DoesNotContain(provisioned.Proxy!.ApiKey, text, StringComparison.Ordinal);
        Assert.Equal(EntityRole.Proxy, store.Authenticate(proxy.EntityId, proxy.ApiKey)?.Role);
        Assert.EndsWith(ConfigTomlWriter.RenderSection(proxy), text, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplaceProxy_InTheMiddle_RemovesItUpToTheNextSection()
    {
        using var directory = new TempDirectory();
        var path = directory.File("config.toml");
        var store = CredentialStore.InMemory();
        var provisioned = Provisioner.Provision(store, "acme", "fleet", propletCount: 1);
        var sections = ConfigTomlWriter.Sections(provisioned);
        File.WriteAllText(path, ConfigTomlWriter.Header + ConfigTomlWriter.RenderSection(sections[0]) + ConfigTomlWriter.RenderSection(sections[2]) + ConfigTomlWriter.RenderSection(sections[1]));

        var proxy = Provisioner.ReplaceProxy(store, path);

        var document = ConfigTomlDocument.Parse(File.ReadAllText(path), path);
        Assert.Equal(["manager", "proplet", "proxy"], document.SectionNames);
        Assert.Equal(sections[1], document.GetSection("proplet"));
        Assert.Equal(proxy, document.GetSection("proxy"));
    }
}
