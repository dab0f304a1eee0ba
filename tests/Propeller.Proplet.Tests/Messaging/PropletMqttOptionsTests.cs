using Propeller.Contracts.Configuration;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Messaging;

namespace Propeller.Proplet.Tests.Messaging;

public sealed class PropletMqttOptionsTests
{
    [Fact]
    public void Create_CarriesTheSessionSettingsOfTheOptions()
    {
        var options = new PropletOptions
        {
            Credentials = new EntityCredentials("t", "c", "proplet-1", "key"),
            MqttKeepAlive = TimeSpan.FromSeconds(45),
            MqttMaxInflight = 5,
        };

        var connection = PropletMqttOptions.Create(options, new TopicBuilder("t", "c"));

        Assert.Equal("proplet-1", connection.ClientId);
        Assert.Equal("key", connection.Password);
        Assert.Equal(TimeSpan.FromSeconds(45), connection.KeepAlive);
        Assert.Equal(5, connection.MaxInflightPublishes);
        Assert.Equal("m/t/c/c/control/proplet/alive", connection.Will!.Topic);
    }
}
