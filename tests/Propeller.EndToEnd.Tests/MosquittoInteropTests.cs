using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Credentials;
using Propeller.Broker.Provisioning;
using Propeller.Contracts.Api;
using Propeller.Contracts.Configuration;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Hosting;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Hosting;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests;

/// <summary>
/// The embedded broker is replaceable: manager and proplets run unchanged on a real Mosquitto with a password file
/// and a per-channel ACL built from the same provisioning.
/// </summary>
public sealed class MosquittoInteropTests(ITestOutputHelper output)
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    [Fact]
    public async Task ManagerAndProplets_OnMosquittoWithAcl_RunATaskAndSeeTheLastWill()
    {

        var provisioned = Provisioner.Provision(CredentialStore.InMemory(), "acme", "fleet", propletCount: 2, proxy: false);
        var tenant = provisioned.Tenant.Id;
        var channel = provisioned.Channel.Id;
        var entities = new[] { provisioned.Manager }.Concat(provisioned.Proplets).ToList();
        var acl = entities.SelectMany(e => new[] { $"user {e.Id}", $"topic readwrite m/{tenant}/c/{channel}/#", "" }).ToList();
        await using var mosquitto = await MosquittoProcess.StartAsync(entities.ToDictionary(e => e.Id, e => e.ApiKey), acl);

        var logs = new CapturingLoggerProvider(new TestOutputSink(output));
        void Logging(ILoggingBuilder b)
        {
            b.ClearProviders();
            b.SetMinimumLevel(LogLevel.Debug);
            b.AddFilter("Microsoft", LogLevel.Warning);
            b.AddProvider(logs);
        }

        var managerOptions = new ManagerOptions
        {
            Credentials = new EntityCredentials(tenant, channel, provisioned.Manager.Id, provisioned.Manager.ApiKey),
            MqttAddress = mosquitto.Address,
            HttpHost = "127.0.0.1",
            HttpPort = 0,
            InsecureNoAuth = true,
            StorageType = "memory",
        };
        await using var manager = ManagerApp.Build(managerOptions, Logging);
        await manager.StartAsync();
        var proplets = new List<IHost>();
        try
        {
            foreach (var proplet in provisioned.Proplets)
            {
                var host = PropletApp.Build(
                    new PropletOptions
                    {
                        Credentials = new EntityCredentials(tenant, channel, proplet.Id, proplet.ApiKey),
                        MqttAddress = mosquitto.Address,
                        LivelinessInterval = TimeSpan.FromSeconds(1),
                        MetricsEnabled = false,
                    },
                    Logging);
                await host.StartAsync();
                proplets.Add(host);
            }

            using var http = new HttpClient { BaseAddress = ManagerApp.BaseAddress(manager) };
            await Eventually.ValueAsync(async () => await http.GetFromJsonAsync("proplets?status=active", Json.PropletPage), p => p.Total == 2, "two live proplets");

            using var create = await http.PostAsJsonAsync("tasks", new TaskDto
            {
                Name = "add",
                File = Convert.ToBase64String(PropellerTestEnvironment.Wat("add", "add.wat")),
                Inputs = ["10", "20"],
            }, Json.TaskDto);
            var task = (await create.Content.ReadFromJsonAsync(Json.TaskDto))!;
            using var start = await http.PostAsync($"tasks/{task.Id}/start", null);
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
            var done = await Eventually.ValueAsync(async () => await http.GetFromJsonAsync($"tasks/{task.Id}", Json.TaskDto), t => t.State is TaskState.Completed or TaskState.Failed, "the task to finish");
            Assert.Equal("30", done.Results!.Value.GetString());

            var victim = provisioned.Proplets[0].Id;
            await proplets[0].Services.GetRequiredService<PropellerMqttClient>().AbortAsync();
            await Eventually.ValueAsync(async () => await http.GetFromJsonAsync($"proplets/{victim}", Json.PropletView), p => !p.Alive, "Mosquitto's Last Will to mark the proplet dead", TimeSpan.FromSeconds(5));
        }
        finally
        {
            foreach (var host in proplets)
            {
                await host.StopAsync(TimeSpan.FromSeconds(10));
                host.Dispose();
            }

            await manager.StopAsync();
        }

        logs.AssertNoUnexpectedErrors();
    }
}
