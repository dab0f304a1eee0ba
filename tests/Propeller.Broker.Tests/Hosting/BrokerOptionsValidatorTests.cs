using Microsoft.Extensions.Options;
using Propeller.Broker.Hosting;
using Propeller.Broker.Tests.Support;

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
        Assert.Equal(65_536, options.MaxConnectPacketSize);
        Assert.Equal(10_000, options.MaxConnections);
        Assert.True(options.PlainListener);
        Assert.Null(options.TlsCertificatePath);
        Assert.Null(options.TlsKeyPath);
        Assert.Equal(8883, options.TlsPort);
        Assert.Equal(TimeSpan.FromSeconds(10), options.TlsHandshakeTimeout);
    }

    [Theory]
    [InlineData("Host", "BrokerOptions.Host 'not-an-ip'")]
    [InlineData("Port", "BrokerOptions.Port 70000")]
    [InlineData("MaxPacketSize", "BrokerOptions.MaxPacketSize 10")]
    [InlineData("CredentialsPath", "BrokerOptions.CredentialsPath is blank")]
    [InlineData("SessionExpiry", "BrokerOptions.SessionExpiry")]
    [InlineData("MaxConnectPacketSize", "BrokerOptions.MaxConnectPacketSize 1000 is below 1024 bytes")]
    [InlineData("MaxConnectPacketSizeAboveMax", "BrokerOptions.MaxConnectPacketSize 65536 is above BrokerOptions.MaxPacketSize 4096")]
    [InlineData("MaxConnections", "BrokerOptions.MaxConnections 0 is below 1")]
    [InlineData("TlsPort", "BrokerOptions.TlsPort -1")]
    [InlineData("TlsHandshakeTimeout", "BrokerOptions.TlsHandshakeTimeout")]
    [InlineData("PlainListener", "BrokerOptions.PlainListener is false but no TLS certificate is configured")]
    public void Validate_BadSetting_NamesIt(string setting, string expected)
    {
        var options = new BrokerOptions();
        switch (setting)
        {
            case "Host": options.Host = "not-an-ip"; break;
            case "Port": options.Port = 70000; break;
            case "MaxPacketSize": options.MaxPacketSize = 10; break;
            case "CredentialsPath": options.CredentialsPath = " "; break;
            case "MaxConnectPacketSize": options.MaxConnectPacketSize = 1000; break;
            case "MaxConnectPacketSizeAboveMax": options.MaxPacketSize = 4096; break;
            case "MaxConnections": options.MaxConnections = 0; break;
            case "TlsPort": options.TlsPort = -1; break;
            case "TlsHandshakeTimeout": options.TlsHandshakeTimeout = TimeSpan.Zero; break;
            case "PlainListener": options.PlainListener = false; break;
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

    [Fact]
    public void Validate_TlsCertificateWithoutKey_AsksForBoth()
    {
        using var directory = new TempDirectory();
        var files = TestCertificates.WriteSelfSigned(directory, "server");

        var error = Assert.Throws<OptionsValidationException>(
            () => BrokerOptionsValidator.ThrowIfInvalid(new BrokerOptions { TlsCertificatePath = files.CertificatePath }));

        Assert.Equal("BrokerOptions.TlsCertificatePath is set but BrokerOptions.TlsKeyPath is not; give both (PEM files) or neither.", Assert.Single(error.Failures));
    }

    [Fact]
    public void Validate_TlsKeyWithoutCertificate_AsksForBoth()
    {
        using var directory = new TempDirectory();
        var files = TestCertificates.WriteSelfSigned(directory, "server");

        var error = Assert.Throws<OptionsValidationException>(
            () => BrokerOptionsValidator.ThrowIfInvalid(new BrokerOptions { TlsKeyPath = files.KeyPath }));

        Assert.Contains("BrokerOptions.TlsKeyPath is set but BrokerOptions.TlsCertificatePath is not", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingTlsFile_NamesSettingAndPath()
    {
        using var directory = new TempDirectory();
        var files = TestCertificates.WriteSelfSigned(directory, "server");
        var missing = directory.File("missing.key");

        var error = Assert.Throws<OptionsValidationException>(
            () => BrokerOptionsValidator.ThrowIfInvalid(new BrokerOptions { TlsCertificatePath = files.CertificatePath, TlsKeyPath = missing }));

        Assert.Equal($"BrokerOptions.TlsKeyPath '{missing}' does not exist or is not a file.", Assert.Single(error.Failures));
    }

    [Fact]
    public void Validate_TlsPortEqualToPort_IsRefusedUnlessPlainIsOff()
    {
        using var directory = new TempDirectory();
        var files = TestCertificates.WriteSelfSigned(directory, "server");
        var options = new BrokerOptions { Port = 8883, TlsCertificatePath = files.CertificatePath, TlsKeyPath = files.KeyPath };

        var error = Assert.Throws<OptionsValidationException>(() => BrokerOptionsValidator.ThrowIfInvalid(options));
        options.PlainListener = false;

        Assert.Contains("BrokerOptions.TlsPort 8883 is also BrokerOptions.Port", Assert.Single(error.Failures), StringComparison.Ordinal);
        BrokerOptionsValidator.ThrowIfInvalid(options);
    }
}
