using Microsoft.Extensions.Options;
using Propeller.Broker.Hosting;

namespace Propeller.Broker.Tests.Hosting;

public sealed class BrokerOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValidAndMatchTheSpecification()
    {
        var options = new BrokerOptions();

        BrokerOptionsValidator.ThrowIfInvalid(options);

        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(1883, options.Port);
        Assert.Equal(10_485_760, options.MaxPacketSize);
        Assert.False(options.AllowAnonymous);
        Assert.Null(options.CredentialsPath);
    }

    [Theory]
    [InlineData("Host", "BrokerOptions.Host 'not-an-ip'")]
    [InlineData("Port", "BrokerOptions.Port 70000")]
    [InlineData("MaxPacketSize", "BrokerOptions.MaxPacketSize 10")]
    [InlineData("CredentialsPath", "BrokerOptions.CredentialsPath is blank")]
    [InlineData("SessionExpiry", "BrokerOptions.SessionExpiry")]
    public void Validate_BadSetting_NamesIt(string setting, string expected)
    {
        var options = new BrokerOptions();
        switch (setting)
        {
            case "Host": options.Host = "not-an-ip"; break;
            case "Port": options.Port = 70000; break;
            case "MaxPacketSize": options.MaxPacketSize = 10; break;
            case "CredentialsPath": options.CredentialsPath = " "; break;
            default: options.SessionExpiry = TimeSpan.Zero; break;
        }

        var error = Assert.Throws<OptionsValidationException>(() => BrokerOptionsValidator.ThrowIfInvalid(options));

        Assert.Contains(expected, Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("::")]
    [InlineData("::1")]
    public void Validate_HostLiteralOrLocalhost_IsAccepted(string host) =>
        BrokerOptionsValidator.ThrowIfInvalid(new BrokerOptions { Host = host, Port = 0 });
}
