using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;
using Propeller.Contracts.Configuration;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Hosting;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Hosting;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests;

/// <summary>A manager that starts after its proplets learns them at once through the discover request.</summary>
public sealed class RediscoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ManagerStartingAfterItsProplets_ListsThemAliveWithMetadataBeforeTheNextHeartbeat()
    {
        var logs = new CapturingLoggerProvider(new TestOutputSink(output));
        void Logging(ILoggingBuilder b)
        {
            b.ClearProviders();
            b.SetMinimumLevel(LogLevel.Debug);
            b.AddFilter("Microsoft", LogLevel.Warning);
            b.AddProvider(logs);
        }

        using var loggerFactory = LoggerFactory.Create(Logging);
        var store = CredentialStore.InMemory();
        var provisioned = Provisioner.Provision(store, "t", "c", propletCount: 2, proxy: false);
        await using var broker = await EmbeddedBroker.StartAsync(new BrokerOptions { Host = "127.0.0.1", Port = 0 }, store, loggerFactory);
        var address = $"tcp://127.0.0.1:{broker.Port}";

        var proplets = new List<IHost>();
        foreach (var p in provisioned.Proplets)
        {
            // A heartbeat only every 10 minutes: nothing but the discover request can make them show up quickly.
            var host = PropletApp.Build(
                new PropletOptions
                {
                    Credentials = new EntityCredentials(provisioned.Tenant.Id, provisioned.Channel.Id, p.Id, p.ApiKey),
                    MqttAddress = address,
                    LivelinessInterval = TimeSpan.FromMinutes(10),
                    Description = "rack 7",
                    MetricsEnabled = false,
                },
                Logging);
            await host.StartAsync();
            proplets.Add(host);
        }

        await Eventually.TrueAsync(() => logs.Entries.Count(e => e.EventId.Id == 100) >= 2, "both proplets connected");
        await Task.Delay(500);

        await using var manager = ManagerApp.Build(
            new ManagerOptions
            {
                Credentials = new EntityCredentials(provisioned.Tenant.Id, provisioned.Channel.Id, provisioned.Manager.Id, provisioned.Manager.ApiKey),
                MqttAddress = address,
                HttpHost = "127.0.0.1",
                HttpPort = 0,
                InsecureNoAuth = true,
                StorageType = "memory",
            },
            Logging);
        await manager.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = ManagerApp.BaseAddress(manager) };
            var page = await Eventually.ValueAsync(
                async () => await http.GetFromJsonAsync("proplets?status=active", PropellerJsonContext.Default.PropletPage),
                p => p.Total == 2 && p.Proplets.All(x => x.Metadata?.Description == "rack 7"),
                "both proplets alive with their metadata",
                TimeSpan.FromSeconds(10));
            Assert.All(page.Proplets, p => Assert.False(string.IsNullOrEmpty(p.Metadata!.Os)));
        }
        finally
        {
            await manager.StopAsync();
            foreach (var host in proplets)
            {
                await host.StopAsync(TimeSpan.FromSeconds(10));
                host.Dispose();
            }
        }

        logs.AssertNoUnexpectedErrors();
    }
}
