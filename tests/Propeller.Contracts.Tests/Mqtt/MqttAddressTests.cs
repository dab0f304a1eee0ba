using Propeller.Contracts.Mqtt;

namespace Propeller.Contracts.Tests.Mqtt;

public sealed class MqttAddressTests
{
    [Theory]
    [InlineData("tcp://localhost:1883", "localhost", 1883, false)]
    [InlineData("mqtts://broker.example", "broker.example", 8883, true)]
    [InlineData("ssl://10.0.0.1:9999", "10.0.0.1", 9999, true)]
    [InlineData("localhost:1884", "localhost", 1884, false)]
    [InlineData("broker", "broker", 1883, false)]
    [InlineData("tcp://[::1]:1883", "::1", 1883, false)]
    public void Parse_ValidAddresses(string text, string host, int port, bool tls) =>
        Assert.Equal(new MqttAddress(host, port, tls), MqttAddress.Parse(text));

    [Theory]
    [InlineData("http://x:1")]
    [InlineData("tcp://:1883")]
    [InlineData("tcp://host:70000")]
    [InlineData("tcp://host:abc")]
    public void Parse_InvalidAddresses_Throw(string text) =>
        Assert.Throws<FormatException>(() => MqttAddress.Parse(text));
}
