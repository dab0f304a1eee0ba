using MQTTnet;
using Propeller.Broker.Diagnostics;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Transport;

public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task Connect_BeyondMaxConnections_IsRefusedUntilOneDisconnects()
    {
        await using var host = await BrokerTestHost.StartAsync(o => o.MaxConnections = 2);
        var first = await host.ConnectAsync(host.Fleet.Proplets[0]);
        await host.ConnectAsync(host.Fleet.Proplets[1]);

        await Assert.ThrowsAnyAsync<Exception>(() => host.TryConnectAsync(host.Options(host.Fleet.Manager)));

        var logged = await host.Logs.WaitForEventAsync(EventIds.ConnectionLimitReached);
        Assert.Contains("2 connections", logged.Message, StringComparison.Ordinal);
        await first.DisconnectAsync();

        // The slot comes back once the broker has finished with the connection, a moment after the client's view.
        var deadline = DateTime.UtcNow + TestTimeouts.Wait;
        while (!await TryConnectAsync(host))
        {
            Assert.True(DateTime.UtcNow < deadline, "No connection was accepted after one disconnected.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task MaxConnections_CountsTlsAndPlainTogether()
    {
        using var directory = new TempDirectory();
        var certificate = TestCertificates.WriteSelfSigned(directory, "server");
        await using var host = await BrokerTestHost.StartAsync(o =>
        {
            o.MaxConnections = 1;
            o.TlsCertificatePath = certificate.CertificatePath;
            o.TlsKeyPath = certificate.KeyPath;
            o.TlsPort = 0;
        });
        await host.ConnectAsync(host.Fleet.Proplets[0]);
        var tls = host.Options(host.Fleet.Proplets[1])
            .WithTcpServer("127.0.0.1", host.TlsPort)
            .WithTlsOptions(t => t.UseTls().WithCertificateValidationHandler(_ => true));

        await Assert.ThrowsAnyAsync<Exception>(() => host.TryConnectAsync(tls));

        await host.Logs.WaitForEventAsync(EventIds.ConnectionLimitReached);
        Assert.Empty(host.Logs.WithEventId(EventIds.TlsHandshakeFailed));
    }

    private static async Task<bool> TryConnectAsync(BrokerTestHost host)
    {
        try
        {
            var (client, result) = await host.TryConnectAsync(host.Options(host.Fleet.Manager));
            return result == MqttClientConnectResultCode.Success && client.IsConnected;
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            return false;
        }
    }
}
