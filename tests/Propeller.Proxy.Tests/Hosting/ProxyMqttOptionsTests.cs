using Propeller.Contracts.Configuration;
using Propeller.Contracts.Topics;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Hosting;

namespace Propeller.Proxy.Tests.Hosting;

public sealed class ProxyMqttOptionsTests
{
    [Fact]
    public void Create_CarriesTheSessionSettingsOfTheOptions()
    {
        var options = new ProxyOptions
        {
            Credentials = new EntityCredentials("t", "c", "proxy-1", "key"),
            MqttQos = 1,
            MqttTimeout = TimeSpan.FromSeconds(7),
            MqttMaxInflight = 5,
        };

        var connection = ProxyMqttOptions.Create(options, new TopicBuilder("t", "c"));

        Assert.Equal("proxy-1", connection.ClientId);
        Assert.Equal("key", connection.Password);
        Assert.Equal(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, connection.QualityOfService);
        Assert.Equal(TimeSpan.FromSeconds(7), connection.PublishTimeout);
        Assert.Equal(5, connection.MaxInflightPublishes);
    }
}
