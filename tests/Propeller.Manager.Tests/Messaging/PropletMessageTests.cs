using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Messaging;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Messaging;

public sealed class PropletMessageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Discovery_RustPayload_RegistersTheProplet()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var id = Guid.NewGuid().ToString();

        await probe.PublishAsync(TopicSuffixes.PropletCreate, RustPayloads.Discovery(id));

        var proplet = await Eventually.ValueAsync(() => host.GetPropletAsync(id), _ => true, "the proplet");
        Assert.Matches("^[A-Z][a-z]+-[A-Z][a-z]+$", proplet.Name);
        Assert.Equal(8254930944UL, proplet.Metadata!.TotalMemoryBytes);
        Assert.Equal(["edge", "arm"], proplet.Metadata.Tags!);
        Assert.Equal("aarch64", proplet.Metadata.CpuArch);
        Assert.Empty(proplet.AliveHistory);
    }

    [Fact]
    public async Task Discovery_Repeated_KeepsNameAndHistoryAndRefreshesMetadata()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var id = Guid.NewGuid().ToString();
        await probe.PublishAsync(TopicSuffixes.PropletCreate, RustPayloads.Discovery(id, "first"));
        var first = await Eventually.ValueAsync(() => host.GetPropletAsync(id), _ => true, "the proplet");
        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.Heartbeat(id));
        await Eventually.TrueAsync(async () => (await host.GetPropletAsync(id))!.AliveHistory.Count == 1, "a heartbeat");

        await probe.PublishAsync(TopicSuffixes.PropletCreate, RustPayloads.Discovery(id, "second"));

        var second = await Eventually.ValueAsync(() => host.GetPropletAsync(id), p => p.Metadata?.Description == "second", "refreshed metadata");
        Assert.Equal(first.Name, second.Name);
        Assert.Single(second.AliveHistory);
    }

    [Fact]
    public async Task Heartbeat_UnknownProplet_CreatesItAndRecordsTheHeartbeat()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var id = Guid.NewGuid().ToString();

        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.Heartbeat(id));

        var proplet = await Eventually.ValueAsync(() => host.GetPropletAsync(id), p => p.AliveHistory.Count == 1, "a registered proplet");
        Assert.True(proplet.IsAlive(DateTimeOffset.UtcNow));
        var view = await (await host.Http.GetAsync($"proplets/{id}")).ReadJsonAsync();
        Assert.True(view["alive"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Heartbeat_KnownProplet_AppendsToTheHistory()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.FromMinutes(1));

        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.Heartbeat(proplet.Id));

        await Eventually.TrueAsync(async () => (await host.GetPropletAsync(proplet.Id))!.AliveHistory.Count == 2, "a second heartbeat");
        Assert.True((await host.GetPropletAsync(proplet.Id))!.IsAlive(DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task LastWill_OfflineStatus_MarksThePropletDeadAtOnce()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);

        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.LastWill(proplet.Id));

        await Eventually.TrueAsync(async () => !(await host.GetPropletAsync(proplet.Id))!.IsAlive(DateTimeOffset.UtcNow), "the proplet to be dead");
        var active = await (await host.Http.GetAsync("proplets?status=active")).ReadJsonAsync();
        Assert.Equal(0, active["total"]!.GetValue<int>());

        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.Heartbeat(proplet.Id));
        await Eventually.TrueAsync(async () => (await host.GetPropletAsync(proplet.Id))!.IsAlive(DateTimeOffset.UtcNow), "the proplet to be alive again");
    }

    [Fact]
    public async Task LastWill_PublishedByTheBrokerWhenAProletDrops_MarksItDead()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var id = Guid.NewGuid().ToString();
        var will = new MqttWill(host.Topics.PropletAlive, System.Text.Encoding.UTF8.GetBytes(RustPayloads.LastWill(id)), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        var proplet = await MqttProbe.ConnectAsync(host.BrokerAddress, host.Topics, id, will);
        await proplet.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.Heartbeat(id));
        await Eventually.TrueAsync(async () => (await host.GetPropletAsync(id))?.IsAlive(DateTimeOffset.UtcNow) == true, "the proplet to be alive");

        await proplet.Client.AbortAsync();

        await Eventually.TrueAsync(async () => !(await host.GetPropletAsync(id))!.IsAlive(DateTimeOffset.UtcNow), "the Last Will to mark it dead");
    }

    [Fact]
    public async Task LastWill_UnknownProplet_CreatesNothing()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var id = Guid.NewGuid().ToString();

        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.LastWill(id));
        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.Heartbeat("marker-" + id));

        await Eventually.ValueAsync(() => host.GetPropletAsync("marker-" + id), _ => true, "the marker proplet");
        Assert.Null(await host.GetPropletAsync(id));
    }

    [Fact]
    public async Task OwnEntityId_HeartbeatsDiscoveryAndWill_AreIgnored()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var own = host.Options.Credentials.EntityId;

        await probe.PublishAsync(TopicSuffixes.PropletCreate, RustPayloads.Discovery(own));
        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.Heartbeat(own));
        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.LastWill(own));
        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.Heartbeat("marker"));

        await Eventually.ValueAsync(() => host.GetPropletAsync("marker"), _ => true, "the marker proplet");
        await Eventually.TrueAsync(() => host.Logs.Entries.Count(e => e.EventId.Id == EventIds.OwnMessageIgnored) == 3, "three ignored messages");
        Assert.Null(await host.GetPropletAsync(own));
    }

    [Fact]
    public async Task ManagerLastWill_IsTheGoManagersPayloadOnTheAliveTopic()
    {
        var options = await ManagerTestHost.NewOptionsAsync();
        var connection = ManagerMqttConnection.CreateOptions(options, new TopicBuilder(options.Credentials.TenantId, options.Credentials.ChannelId));

        Assert.Equal($"m/{options.Credentials.TenantId}/c/{options.Credentials.ChannelId}/control/proplet/alive", connection.Will!.Topic);
        Assert.Equal(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce, connection.Will.QualityOfService);
        Assert.False(connection.Will.Retain);
        Assert.Equal($$"""{"status":"offline","proplet_id":"{{options.Credentials.EntityId}}"}""", System.Text.Encoding.UTF8.GetString(connection.Will.Payload.Span));
        Assert.Equal(options.Credentials.EntityId, connection.ClientId);
        Assert.Equal(options.Credentials.EntityId, connection.Username);
        Assert.Equal(options.Credentials.ApiKey, connection.Password);
        Assert.Equal(5, ManagerMqttConnection.CreateOptions(options with { MqttMaxInflight = 5 }, new TopicBuilder("t", "c")).MaxInflightPublishes);
    }

    [Fact]
    public async Task ManagerLastWill_WhenTheManagerDrops_IsPublishedAndIgnoredByAnotherManager()
    {
        var options = await ManagerTestHost.NewOptionsAsync();
        await using var observer = await ManagerTestHost.StartAsync(output, options: options with { Credentials = options.Credentials with { EntityId = Guid.NewGuid().ToString() } });
        await using var probe = await observer.ConnectProbeAsync();
        var dropping = new Propeller.Contracts.Mqtt.PropellerMqttClient(
            ManagerMqttConnection.CreateOptions(options, observer.Topics), Microsoft.Extensions.Logging.Abstractions.NullLogger<Propeller.Contracts.Mqtt.PropellerMqttClient>.Instance);
        await dropping.StartAsync(waitForConnection: true, CancellationToken.None);

        await dropping.AbortAsync();

        var will = await probe.WaitForAsync(TopicSuffixes.PropletAlive, m => m["proplet_id"]?.GetValue<string>() == options.Credentials.EntityId);
        Assert.Equal("offline", will["status"]!.GetValue<string>());
        await Eventually.TrueAsync(() => observer.Logs.Entries.Any(e => e.EventId.Id == EventIds.OfflineForUnknownProplet), "the will to be handled");
        Assert.Null(await observer.GetPropletAsync(options.Credentials.EntityId));
    }

    [Fact]
    public async Task PropletMetrics_RustPayload_IsStoredWithItsTimestamp()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);

        await probe.PublishAsync(TopicSuffixes.PropletMetrics, RustPayloads.PropletMetrics(proplet.Id));

        var page = await Eventually.ValueAsync<Propeller.Manager.Storage.Page<Propeller.Contracts.Messages.PropletMetricsMessage>>(async () => await host.Store.Metrics.ListPropletMetricsAsync(proplet.Id, 0, 10, CancellationToken.None), p => p.Total == 1, "a stored sample");
        var sample = page.Items[0];
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(RustPayloads.Seconds).AddTicks(RustPayloads.Nanos / 100), sample.Timestamp);
        Assert.Equal(12.5, sample.CpuMetrics.Percent);
        Assert.Equal(20971520UL, sample.MemoryMetrics.ContainerUsageBytes);
        var api = await (await host.Http.GetAsync($"proplets/{proplet.Id}/metrics")).ReadJsonAsync();
        Assert.Equal(10485760, api["metrics"]![0]!["memory_metrics"]!["rss_bytes"]!.GetValue<long>());
    }

    [Fact]
    public async Task PropletMetrics_EmbeddedNumericTimestamp_IsStoredAtReceiveTime()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var before = DateTimeOffset.UtcNow;

        await probe.PublishAsync(TopicSuffixes.PropletMetrics, RustPayloads.EmbeddedPropletMetrics(proplet.Id));

        var page = await Eventually.ValueAsync<Propeller.Manager.Storage.Page<Propeller.Contracts.Messages.PropletMetricsMessage>>(async () => await host.Store.Metrics.ListPropletMetricsAsync(proplet.Id, 0, 10, CancellationToken.None), p => p.Total == 1, "a stored sample");
        Assert.InRange(page.Items[0].Timestamp, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(2048UL, page.Items[0].MemoryMetrics.HeapAllocBytes);
    }

    [Fact]
    public async Task PropletMetrics_UnknownProplet_RegistersItAndKeepsTheSample()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var id = Guid.NewGuid().ToString();

        await probe.PublishAsync(TopicSuffixes.PropletMetrics, RustPayloads.PropletMetrics(id));

        await Eventually.TrueAsync(async () => (await host.Store.Metrics.ListPropletMetricsAsync(id, 0, 10, CancellationToken.None)).Total == 1, "the stored sample");
        var proplet = await host.Store.Proplets.GetAsync(id, CancellationToken.None);
        Assert.NotNull(proplet);
        Assert.False(proplet.IsAlive(DateTimeOffset.UtcNow));
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == EventIds.PropletCreatedFromMetrics);
    }
}
