using System.Security.Cryptography;
using MQTTnet;
using MQTTnet.Protocol;
using Propeller.Broker.Provisioning;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Hosting;

/// <summary>The broker driven by the real Mosquitto clients, as third-party devices would.</summary>
public sealed class MosquittoCompatibilityTests
{
    private const string PayloadStart = "<<payload>>";
    private const string PayloadEnd = "<</payload>>";

    [Fact]
    public async Task MosquittoPub_WithWrongKey_IsRefused()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var entity = host.Fleet.Proplets[0];

        var result = await MosquittoClients.RunAsync(
            MosquittoClients.Pub, [.. MosquittoClients.Connection(host.Port, entity.Id, "wrong-key"), "-t", host.Topic("x"), "-m", "x"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("bad user name or password", result.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MosquittoPub_WithUnknownEntity_IsRefused()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var unknown = Guid.NewGuid().ToString();

        var result = await MosquittoClients.RunAsync(
            MosquittoClients.Pub, [.. MosquittoClients.Connection(host.Port, unknown, host.Fleet.Manager.ApiKey), "-t", host.Topic("x"), "-m", "x"]);

        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public async Task MosquittoPubToMosquittoSub_InsideChannel_RoundTrips()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var topic = host.Topic("control/manager/start");

        var received = await PublishAndReceiveAsync(host, host.Fleet.Manager, host.Fleet.Proplets[0], topic, ["-m", "{\"id\":\"t1\"}"]);

        Assert.Equal("{\"id\":\"t1\"}", received);
    }

    [Fact]
    public async Task MosquittoPubToMosquittoSub_700KbPayload_RoundTrips()
    {
        await using var host = await BrokerTestHost.StartAsync();
        using var directory = new TempDirectory();
        var payload = Convert.ToBase64String(RandomNumberGenerator.GetBytes(525 * 1024));
        var file = directory.File("chunk.txt");
        await File.WriteAllTextAsync(file, payload);

        var received = await PublishAndReceiveAsync(host, host.Fleet.Proxy!, host.Fleet.Proplets[0], host.Topic("registry/server"), ["-f", file]);

        Assert.True(payload.Length >= 700 * 1024);
        Assert.Equal(payload, received);
    }

    [Fact]
    public async Task MosquittoPub_IntoAnotherTenantsChannel_IsNotDelivered()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var observer = await host.ConnectAsync(host.Other.Manager);
        var sink = new MessageSink(observer);
        await observer.SubscribeAsync(BrokerTestHost.Topic(host.Other, "#"));
        var target = BrokerTestHost.Topic(host.Other, "control/manager/start");
        var intruder = host.Fleet.Proplets[0];

        var published = await MosquittoClients.RunAsync(
            MosquittoClients.Pub, [.. MosquittoClients.Connection(host.Port, intruder.Id, intruder.ApiKey), "-q", "1", "-t", target, "-m", "intruder"]);
        var sentinel = await host.ConnectAsync(host.Other.Proplets[0]);
        await sentinel.PublishStringAsync(target, "sentinel", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(0, published.ExitCode);
        await sink.WaitForAsync(target);
        Assert.Equal(["sentinel"], sink.Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task MosquittoSub_Hash_IsDenied()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var entity = host.Fleet.Proplets[0];

        var result = await MosquittoClients.RunAsync(
            MosquittoClients.Sub, [.. MosquittoClients.Connection(host.Port, entity.Id, entity.ApiKey), "-E", "-t", "#"]);

        Assert.Contains("denied", result.StandardError + result.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MosquittoSub_OtherTenantsChannel_IsDenied()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var entity = host.Fleet.Proplets[0];

        var result = await MosquittoClients.RunAsync(
            MosquittoClients.Sub, [.. MosquittoClients.Connection(host.Port, entity.Id, entity.ApiKey), "-E", "-t", BrokerTestHost.Topic(host.Other, "#")]);

        Assert.Contains("denied", result.StandardError + result.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MosquittoSub_Killed_HasItsWillDelivered()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var manager = await host.ConnectAsync(host.Fleet.Manager);
        var sink = new MessageSink(manager);
        var alive = host.Topic("control/proplet/alive");
        await manager.SubscribeAsync(alive);
        var proplet = host.Fleet.Proplets[0];
        using var device = MosquittoClients.Start(
            MosquittoClients.Sub,
            [.. MosquittoClients.Connection(host.Port, proplet.Id, proplet.ApiKey), "-d", "-t", host.Topic("control/manager/start"),
                "--will-topic", alive, "--will-payload", "{\"status\":\"offline\"}"]);
        await device.WaitForOutputAsync("received SUBACK");

        device.Kill(entireProcessTree: true);

        Assert.Equal("{\"status\":\"offline\"}", (await sink.WaitForAsync(alive)).Text);
    }

    private static async Task<string> PublishAndReceiveAsync(
        BrokerTestHost host, ProvisionedEntity publisher, ProvisionedEntity subscriber, string topic, string[] payloadArguments)
    {
        using var sub = MosquittoClients.Start(
            MosquittoClients.Sub,
            [.. MosquittoClients.Connection(host.Port, subscriber.Id, subscriber.ApiKey), "-d", "-q", "1", "-C", "1", "-W", "60", "-F", $"{PayloadStart}%p{PayloadEnd}", "-t", topic]);
        await sub.WaitForOutputAsync("received SUBACK");

        var published = await MosquittoClients.RunAsync(
            MosquittoClients.Pub, [.. MosquittoClients.Connection(host.Port, publisher.Id, publisher.ApiKey), "-q", "1", "-t", topic, .. payloadArguments]);
        var result = await sub.CompleteAsync();

        Assert.Equal(0, published.ExitCode);
        Assert.Equal(0, result.ExitCode);

        // -d mixes debug lines into stdout; the -F markers delimit the payload.
        var output = result.StandardOutput;
        var start = output.IndexOf(PayloadStart, StringComparison.Ordinal) + PayloadStart.Length;
        var end = output.IndexOf(PayloadEnd, start, StringComparison.Ordinal);
        Assert.True(start >= PayloadStart.Length && end >= start, $"No payload in mosquitto_sub output: {output}");
        return output[start..end];
    }
}
