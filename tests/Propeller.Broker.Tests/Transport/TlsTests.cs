using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Propeller.Broker.Credentials;
using Propeller.Broker.Diagnostics;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;
using Propeller.Broker.Tests.Support;
using Propeller.Contracts.Mqtt;

namespace Propeller.Broker.Tests.Transport;

/// <summary>The TLS listener: same broker, same rules, over <see cref="System.Net.Security.SslStream"/>.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly PemFiles _server;
    private readonly LogCollector _clientLogs = new();
    private readonly ILoggerFactory _clientLoggerFactory;

    public TlsTests()
    {
        _server = TestCertificates.WriteSelfSigned(_directory, "server");
        _clientLoggerFactory = _clientLogs.CreateFactory();
    }

    [Fact]
    public async Task PropellerClient_OverTlsOnly_RoundTripsAndTheAclStillApplies()
    {
        await using var host = await StartAsync(o => o.PlainListener = false);
        await using var proplet = Client(host, host.Fleet.Proplets[0], _server.CertificatePath);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await proplet.SubscribeAsync(
            host.Topic("control/manager/start"),
            (_, payload, _) =>
            {
                received.TrySetResult(Encoding.UTF8.GetString(payload.Span));
                return Task.CompletedTask;
            },
            CancellationToken.None);
        await proplet.StartAsync(waitForConnection: true, CancellationToken.None).WaitAsync(TestTimeouts.Wait);
        await using var manager = Client(host, host.Fleet.Manager, _server.CertificatePath);
        await manager.StartAsync(waitForConnection: true, CancellationToken.None).WaitAsync(TestTimeouts.Wait);

        await manager.PublishAsync(host.Topic("control/manager/start"), "{\"id\":\"t1\"}"u8.ToArray(), CancellationToken.None);
        await proplet.PublishAsync(BrokerTestHost.Topic(host.Other, "control/manager/start"), "intruder"u8.ToArray(), CancellationToken.None);

        Assert.Equal("{\"id\":\"t1\"}", await received.Task.WaitAsync(TestTimeouts.Wait));
        var denied = await host.Logs.WaitForEventAsync(EventIds.PublishDenied);
        Assert.Contains(host.Fleet.Proplets[0].Id, denied.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => host.Broker.Port);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == EventIds.BrokerStarted && e.Message.Contains($"mqtts://127.0.0.1:{host.TlsPort}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlainMqtt_OnTheTlsPort_FailsWhileTlsAndPlainClientsKeepWorking()
    {
        await using var host = await StartAsync();
        var plainOnTlsPort = host.Options(host.Fleet.Proplets[0]).WithTcpServer("127.0.0.1", host.TlsPort);

        await Assert.ThrowsAnyAsync<Exception>(() => host.TryConnectAsync(plainOnTlsPort));

        var logged = await host.Logs.WaitForEventAsync(EventIds.TlsHandshakeFailed);
        Assert.Equal(LogLevel.Warning, logged.Level);
        await using var tlsClient = Client(host, host.Fleet.Proplets[1], _server.CertificatePath);
        await tlsClient.StartAsync(waitForConnection: true, CancellationToken.None).WaitAsync(TestTimeouts.Wait);
        await host.ConnectAsync(host.Fleet.Manager);
    }

    [Fact]
    public async Task Client_TrustingAnotherCa_CannotConnect()
    {
        var stranger = TestCertificates.WriteSelfSigned(_directory, "other-ca");
        await using var host = await StartAsync();
        await using var client = Client(host, host.Fleet.Proplets[0], stranger.CertificatePath);

        await client.StartAsync(waitForConnection: false, CancellationToken.None);

        await _clientLogs.WaitForEventAsync(101);
        await host.Logs.WaitForEventAsync(EventIds.TlsHandshakeFailed);
        Assert.False(client.IsConnected);
        Assert.DoesNotContain(host.Logs.Entries, e => e.EventId.Id == EventIds.ClientConnected);
    }

    [Fact]
    public async Task SilentClient_IsClosedAfterTheHandshakeTimeout()
    {
        await using var host = await StartAsync(o => o.TlsHandshakeTimeout = TimeSpan.FromSeconds(1));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TestTimeouts.Wait);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.TlsPort), timeout.Token);

        var read = await socket.ReceiveAsync(new byte[16], timeout.Token);

        Assert.Equal(0, read);
        var logged = await host.Logs.WaitForEventAsync(EventIds.TlsHandshakeFailed);
        Assert.Contains("no handshake within 1 s", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MosquittoPub_WithCafile_OverTls_IsDelivered()
    {
        await using var host = await StartAsync();
        var subscriber = await host.ConnectAsync(host.Fleet.Manager);
        var sink = new MessageSink(subscriber);
        var topic = host.Topic("control/proplet/results");
        await subscriber.SubscribeAsync(topic);
        var proplet = host.Fleet.Proplets[0];

        var result = await MosquittoClients.RunAsync(
            MosquittoClients.Pub,
            [.. MosquittoClients.Connection(host.TlsPort, proplet.Id, proplet.ApiKey), "--cafile", _server.CertificatePath, "-q", "1", "-t", topic, "-m", "over tls"]);

        Assert.True(result.ExitCode == 0, $"mosquitto_pub exited {result.ExitCode}: {result.StandardError}");
        Assert.Equal("over tls", (await sink.WaitForAsync(topic)).Text);
    }

    [Fact]
    public async Task StartAsync_KeyOfAnotherCertificate_NamesBothSettings()
    {
        var other = TestCertificates.WriteSelfSigned(_directory, "other");
        var options = new BrokerOptions { Host = "127.0.0.1", Port = 0, TlsPort = 0, TlsCertificatePath = _server.CertificatePath, TlsKeyPath = other.KeyPath };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(
            () => EmbeddedBroker.StartAsync(options, CredentialStore.InMemory(), _clientLoggerFactory));

        var failure = Assert.Single(error.Failures);
        Assert.Contains("BrokerOptions.TlsCertificatePath", failure, StringComparison.Ordinal);
        Assert.Contains("BrokerOptions.TlsKeyPath", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_CertificateFileWithoutACertificate_NamesTheSetting()
    {
        var garbage = _directory.File("garbage.crt");
        await File.WriteAllTextAsync(garbage, "not a certificate");
        var options = new BrokerOptions { Host = "127.0.0.1", Port = 0, TlsPort = 0, TlsCertificatePath = garbage, TlsKeyPath = _server.KeyPath };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(
            () => EmbeddedBroker.StartAsync(options, CredentialStore.InMemory(), _clientLoggerFactory));

        Assert.Contains($"BrokerOptions.TlsCertificatePath '{garbage}'", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_TlsPortInUse_ThrowsAndReleasesThePlainPort()
    {
        using var occupied = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupied.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupied.Listen();
        var plainPort = FreePort();
        var options = new BrokerOptions
        {
            Host = "127.0.0.1",
            Port = plainPort,
            TlsPort = ((IPEndPoint)occupied.LocalEndPoint!).Port,
            TlsCertificatePath = _server.CertificatePath,
            TlsKeyPath = _server.KeyPath,
        };

        await Assert.ThrowsAsync<SocketException>(() => EmbeddedBroker.StartAsync(options, CredentialStore.InMemory(), _clientLoggerFactory));

        using var rebind = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        rebind.Bind(new IPEndPoint(IPAddress.Loopback, plainPort));
    }

    public void Dispose()
    {
        _clientLoggerFactory.Dispose();
        _directory.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private Task<BrokerTestHost> StartAsync(Action<BrokerOptions>? configure = null) =>
        BrokerTestHost.StartAsync(o =>
        {
            o.TlsCertificatePath = _server.CertificatePath;
            o.TlsKeyPath = _server.KeyPath;
            o.TlsPort = 0;
            configure?.Invoke(o);
        });

    private PropellerMqttClient Client(BrokerTestHost host, ProvisionedEntity entity, string caCertificatePath) => new(
        new MqttConnectionOptions
        {
            Address = $"ssl://127.0.0.1:{host.TlsPort}",
            ClientId = entity.Id,
            Username = entity.Id,
            Password = entity.ApiKey,
            QualityOfService = MqttQualityOfServiceLevel.AtLeastOnce,
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
            TlsCaCertPath = caCertificatePath,
        },
        _clientLoggerFactory.CreateLogger<PropellerMqttClient>());
}
