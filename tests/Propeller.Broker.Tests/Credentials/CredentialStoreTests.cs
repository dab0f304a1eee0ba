using Microsoft.Extensions.Logging;
using Propeller.Broker.Credentials;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Credentials;

public sealed class CredentialStoreTests
{
    [Fact]
    public void CreateEntity_ReturnsUuidIdAndBase64UrlKeyThatAuthenticates()
    {
        var store = CredentialStore.InMemory();
        var tenant = store.EnsureTenant("acme");

        var issued = store.CreateEntity(tenant.Id, "manager", EntityRole.Manager);

        Assert.True(Guid.TryParse(issued.Entity.Id, out var id));
        Assert.Equal(4, id.Version);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", issued.ApiKey);
        Assert.Equal(issued.Entity, store.Authenticate(issued.Entity.Id, issued.ApiKey));
    }

    [Fact]
    public void Authenticate_WrongKeyOrUnknownEntity_ReturnsNull()
    {
        var store = CredentialStore.InMemory();
        var tenant = store.EnsureTenant("acme");
        var first = store.CreateEntity(tenant.Id, "one", EntityRole.Proplet);
        var second = store.CreateEntity(tenant.Id, "two", EntityRole.Proplet);

        Assert.Null(store.Authenticate(first.Entity.Id, second.ApiKey));
        Assert.Null(store.Authenticate(first.Entity.Id, first.ApiKey + "x"));
        Assert.Null(store.Authenticate(first.Entity.Id, string.Empty));
        Assert.Null(store.Authenticate(Guid.NewGuid().ToString(), first.ApiKey));
    }

    [Fact]
    public void Authenticate_SameKeyAgain_SkipsTheKeyDerivationWhileAWrongKeyStillPaysIt()
    {
        var (store, issued) = StoreWithOneProplet();

        Assert.Equal(issued.Entity, store.Authenticate(issued.Entity.Id, issued.ApiKey));
        var afterFirstLogin = store.KeyDerivations;
        Assert.Equal(issued.Entity, store.Authenticate(issued.Entity.Id, issued.ApiKey));
        Assert.Equal(afterFirstLogin, store.KeyDerivations);

        Assert.Null(store.Authenticate(issued.Entity.Id, issued.ApiKey + "x"));
        Assert.Equal(afterFirstLogin + 1, store.KeyDerivations);
        Assert.Equal(issued.Entity, store.Authenticate(issued.Entity.Id, issued.ApiKey));
    }

    [Fact]
    public void Authenticate_EntityDeletedAfterALogin_Fails()
    {
        var (store, issued) = StoreWithOneProplet();
        Assert.NotNull(store.Authenticate(issued.Entity.Id, issued.ApiKey));

        Assert.True(store.DeleteEntity(issued.Entity.Id));

        Assert.Null(store.Authenticate(issued.Entity.Id, issued.ApiKey));
    }

    private static (CredentialStore Store, IssuedCredentials Issued) StoreWithOneProplet()
    {
        var store = CredentialStore.InMemory();
        return (store, store.CreateEntity(store.EnsureTenant("acme").Id, "one", EntityRole.Proplet));
    }

    [Fact]
    public void IssuedCredentials_ToString_HidesTheKey()
    {
        var store = CredentialStore.InMemory();
        var issued = store.CreateEntity(store.EnsureTenant("acme").Id, "p", EntityRole.Proplet);

        Assert.DoesNotContain(issued.ApiKey, issued.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureTenantAndChannel_SameNameTwice_ReturnTheSameRecord()
    {
        var store = CredentialStore.InMemory();

        var tenant = store.EnsureTenant("acme");
        var channel = store.EnsureChannel(tenant.Id, "fleet");

        Assert.Equal(tenant, store.EnsureTenant(" acme "));
        Assert.Equal(channel, store.EnsureChannel(tenant.Id, "fleet"));
        Assert.NotEqual(channel.Id, store.EnsureChannel(store.EnsureTenant("other").Id, "fleet").Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("line\nbreak")]
    public void EnsureTenant_InvalidName_ThrowsClearError(string name)
    {
        var store = CredentialStore.InMemory();

        var error = Assert.Throws<CredentialStoreException>(() => store.EnsureTenant(name));

        Assert.Contains("tenant name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateEntity_UnknownTenant_ThrowsClearError()
    {
        var store = CredentialStore.InMemory();

        var error = Assert.Throws<CredentialStoreException>(() => store.CreateEntity("no-such-tenant", "p", EntityRole.Proplet));

        Assert.Contains("no-such-tenant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grant_MergesPermissionsAndRevokeRemovesThem()
    {
        var store = CredentialStore.InMemory();
        var tenant = store.EnsureTenant("acme");
        var channel = store.EnsureChannel(tenant.Id, "fleet");
        var entity = store.CreateEntity(tenant.Id, "p", EntityRole.Proplet).Entity;

        store.Grant(entity.Id, channel.Id, ChannelPermissions.Publish);
        store.Grant(entity.Id, channel.Id, ChannelPermissions.Subscribe);

        Assert.Equal([new ChannelGrant(tenant.Id, channel.Id, ChannelPermissions.PublishSubscribe)], store.GetGrants(entity.Id));
        Assert.True(store.Revoke(entity.Id, channel.Id));
        Assert.False(store.Revoke(entity.Id, channel.Id));
        Assert.Empty(store.GetGrants(entity.Id));
    }

    [Fact]
    public void Grant_ChannelOfAnotherTenant_IsRefused()
    {
        var store = CredentialStore.InMemory();
        var entity = store.CreateEntity(store.EnsureTenant("acme").Id, "p", EntityRole.Proplet).Entity;
        var foreign = store.EnsureChannel(store.EnsureTenant("other").Id, "fleet");

        var error = Assert.Throws<CredentialStoreException>(() => store.Grant(entity.Id, foreign.Id, ChannelPermissions.Publish));

        Assert.Contains("belongs to tenant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IssueKey_ReplacesTheOldKey()
    {
        var store = CredentialStore.InMemory();
        var issued = store.CreateEntity(store.EnsureTenant("acme").Id, "p", EntityRole.Proplet);

        var newKey = store.IssueKey(issued.Entity.Id);

        Assert.Null(store.Authenticate(issued.Entity.Id, issued.ApiKey));
        Assert.NotNull(store.Authenticate(issued.Entity.Id, newKey));
    }

    [Fact]
    public void DeleteEntity_RemovesEntityAndGrants()
    {
        var store = CredentialStore.InMemory();
        var tenant = store.EnsureTenant("acme");
        var channel = store.EnsureChannel(tenant.Id, "fleet");
        var issued = store.CreateEntity(tenant.Id, "p", EntityRole.Proplet);
        store.Grant(issued.Entity.Id, channel.Id, ChannelPermissions.PublishSubscribe);

        Assert.True(store.DeleteEntity(issued.Entity.Id));

        Assert.Null(store.FindEntity(issued.Entity.Id));
        Assert.Null(store.Authenticate(issued.Entity.Id, issued.ApiKey));
        Assert.Empty(store.GetGrants(issued.Entity.Id));
        Assert.False(store.DeleteEntity(issued.Entity.Id));
    }

    [Fact]
    public void Open_AfterChanges_ReloadsEverythingFromFileWithoutTheClearKey()
    {
        using var directory = new TempDirectory();
        var path = directory.File("nested/credentials.json");
        var store = CredentialStore.Open(path);
        var tenant = store.EnsureTenant("acme");
        var channel = store.EnsureChannel(tenant.Id, "fleet");
        var issued = store.CreateEntity(tenant.Id, "proplet-1", EntityRole.Proplet);
        store.Grant(issued.Entity.Id, channel.Id, ChannelPermissions.Publish);

        var reloaded = CredentialStore.Open(path);

        Assert.Equal(tenant, reloaded.FindTenant(tenant.Id));
        Assert.Equal(channel, reloaded.FindChannel(channel.Id));
        Assert.Equal(issued.Entity, reloaded.FindEntity(issued.Entity.Id));
        Assert.Equal(issued.Entity, reloaded.Authenticate(issued.Entity.Id, issued.ApiKey));
        Assert.Equal(store.GetGrants(issued.Entity.Id), reloaded.GetGrants(issued.Entity.Id));
        var text = File.ReadAllText(path);
        Assert.DoesNotContain(issued.ApiKey, text, StringComparison.Ordinal);
        Assert.Contains("pbkdf2-sha256", text, StringComparison.Ordinal);
        Assert.Contains("\"proplet\"", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Equal(["credentials.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Open_MissingFile_IsAnEmptyStoreCreatedOnFirstChange()
    {
        using var directory = new TempDirectory();
        var path = directory.File("credentials.json");

        var store = CredentialStore.Open(path);

        Assert.False(File.Exists(path));
        store.EnsureTenant("acme");
        Assert.True(File.Exists(path));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"version\": 99}")]
    [InlineData("{\"version\": 1, \"tenants\": [{\"id\": null, \"name\": \"x\", \"created_at\": \"2026-01-01T00:00:00Z\"}]}")]
    [InlineData("{\"version\": 1, \"tenants\": [null]}")]
    [InlineData("{\"version\": 1, \"grants\": [null]}")]
    public void Open_CorruptFile_ThrowsClearError(string content)
    {
        using var directory = new TempDirectory();
        var path = directory.File("credentials.json");
        File.WriteAllText(path, content);

        var error = Assert.Throws<CredentialStoreException>(() => CredentialStore.Open(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Authenticate_EntityAddedByAnotherStoreOnTheSameFile_IsSeenAtOnce()
    {
        using var directory = new TempDirectory();
        var path = directory.File("credentials.json");
        var broker = CredentialStore.Open(path, reloadCheckInterval: TimeSpan.FromHours(1));
        broker.FindTenant("warm-up");
        var cli = CredentialStore.Open(path);

        var issued = cli.CreateEntity(cli.EnsureTenant("acme").Id, "late", EntityRole.Proplet);

        Assert.Equal(issued.Entity, broker.Authenticate(issued.Entity.Id, issued.ApiKey));
    }

    [Fact]
    public void GetGrants_AfterAnotherStoreRevokedOnTheSameFile_NoLongerListsTheGrant()
    {
        using var directory = new TempDirectory();
        var path = directory.File("credentials.json");
        var cli = CredentialStore.Open(path);
        var tenant = cli.EnsureTenant("acme");
        var channel = cli.EnsureChannel(tenant.Id, "fleet");
        var entity = cli.CreateEntity(tenant.Id, "p", EntityRole.Proplet).Entity;
        cli.Grant(entity.Id, channel.Id, ChannelPermissions.PublishSubscribe);
        var broker = CredentialStore.Open(path, reloadCheckInterval: TimeSpan.Zero);
        Assert.Single(broker.GetGrants(entity.Id));

        Assert.True(CredentialStore.Open(path).Revoke(entity.Id, channel.Id));

        Assert.Empty(broker.GetGrants(entity.Id));
    }

    [Fact]
    public void Change_AfterAnotherStoreWroteTheFile_KeepsBothChanges()
    {
        using var directory = new TempDirectory();
        var path = directory.File("credentials.json");
        var first = CredentialStore.Open(path, reloadCheckInterval: TimeSpan.FromHours(1));
        var second = CredentialStore.Open(path, reloadCheckInterval: TimeSpan.FromHours(1));

        var a = first.EnsureTenant("a");
        var b = second.EnsureTenant("b");

        var reloaded = CredentialStore.Open(path);
        Assert.Equal(a, reloaded.FindTenant(a.Id));
        Assert.Equal(b, reloaded.FindTenant(b.Id));
    }

    [Fact]
    public void Reload_OfACorruptedFile_KeepsTheLastGoodStateForReadsAndFailsWrites()
    {
        using var directory = new TempDirectory();
        var path = directory.File("credentials.json");
        var logs = new LogCollector();
        using var loggerFactory = logs.CreateFactory();
        var store = CredentialStore.Open(path, TimeSpan.Zero, loggerFactory.CreateLogger<CredentialStore>());
        var issued = store.CreateEntity(store.EnsureTenant("acme").Id, "p", EntityRole.Proplet);

        File.WriteAllText(path, "{ truncated");

        Assert.Equal(issued.Entity, store.Authenticate(issued.Entity.Id, issued.ApiKey));
        Assert.Single(logs.WithEventId(Propeller.Broker.Diagnostics.EventIds.CredentialStoreReloadFailed));
        Assert.Throws<CredentialStoreException>(() => store.EnsureTenant("other"));
    }

    [Fact]
    public void Reload_OfAFileWithANullEntry_KeepsTheLastGoodStateIntact()
    {
        using var directory = new TempDirectory();
        var path = directory.File("credentials.json");
        var logs = new LogCollector();
        using var loggerFactory = logs.CreateFactory();
        var store = CredentialStore.Open(path, TimeSpan.Zero, loggerFactory.CreateLogger<CredentialStore>());
        var tenant = store.EnsureTenant("acme");
        var channel = store.EnsureChannel(tenant.Id, "fleet");
        var issued = store.CreateEntity(tenant.Id, "p", EntityRole.Proplet);
        store.Grant(issued.Entity.Id, channel.Id, ChannelPermissions.PublishSubscribe);
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        document["grants"]!.AsArray().Add(null);

        File.WriteAllText(path, document.ToJsonString());

        Assert.Equal(issued.Entity, store.Authenticate(issued.Entity.Id, issued.ApiKey));
        Assert.Single(store.GetGrants(issued.Entity.Id));
        Assert.Single(logs.WithEventId(Propeller.Broker.Diagnostics.EventIds.CredentialStoreReloadFailed));
    }

    [Fact]
    public void ConcurrentChanges_AreAllKept()
    {
        using var directory = new TempDirectory();
        var path = directory.File("credentials.json");
        var store = CredentialStore.Open(path);
        var tenant = store.EnsureTenant("acme");
        var channel = store.EnsureChannel(tenant.Id, "fleet");

        var issued = new IssuedCredentials[40];
        Parallel.For(0, issued.Length, i =>
        {
            issued[i] = store.CreateEntity(tenant.Id, $"p{i}", EntityRole.Proplet);
            store.Grant(issued[i].Entity.Id, channel.Id, ChannelPermissions.PublishSubscribe);
        });

        var reloaded = CredentialStore.Open(path);
        Assert.All(issued, i => Assert.Single(reloaded.GetGrants(i.Entity.Id)));
        Assert.All(issued, i => Assert.NotNull(reloaded.Authenticate(i.Entity.Id, i.ApiKey)));
    }
}
