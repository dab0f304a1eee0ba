using System.Net;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Configuration;
using Propeller.Manager.Hosting;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Hosting;

public sealed class ManagerAppTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Build_PortZero_ListensOnAFreeLoopbackPort()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        Assert.Equal("127.0.0.1", host.BaseAddress.Host);
        Assert.NotEqual(0, host.BaseAddress.Port);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("health")).StatusCode);
    }

    [Fact]
    public async Task Build_LocalhostPortZero_BindsLoopback()
    {
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { HttpHost = "localhost" });

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("health")).StatusCode);
    }

    [Fact]
    public async Task Start_BrokerUnreachable_FailsNamingTheAddress()
    {
        var options = ManagerTestHost.DefaultOptions($"tcp://127.0.0.1:{FreePort.Next()}") with { MqttTimeout = TimeSpan.FromSeconds(1) };
        await using var app = ManagerApp.Build(options, logging => logging.ClearProviders());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains(options.MqttAddress, error.Message, StringComparison.Ordinal);
        Assert.Contains("MANAGER_MQTT_ADDRESS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_InvalidOptions_Throws()
    {
        var options = new ManagerOptions { Credentials = new EntityCredentials("t", "c", "e", "k"), MqttQos = 7 };

        Assert.Throws<ConfigurationException>(() => ManagerApp.Build(options));
    }

    [Fact]
    public async Task Stop_ThenDispose_ReleasesThePort()
    {
        var host = await ManagerTestHost.StartAsync(output);
        var address = host.BaseAddress;

        await host.DisposeAsync();

        using var client = new HttpClient { BaseAddress = address };
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("health"));
    }
}
