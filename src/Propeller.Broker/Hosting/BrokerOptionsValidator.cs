using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace Propeller.Broker.Hosting;

/// <summary>Checks <see cref="BrokerOptions"/>; every failure names the setting and the bad value.</summary>
internal sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    public static void ThrowIfInvalid(BrokerOptions options)
    {
        var result = new BrokerOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(BrokerOptions), typeof(BrokerOptions), result.Failures);
        }
    }

    public ValidateOptionsResult Validate(string? name, BrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.Host) ||
            (!string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(options.Host, out _)))
        {
            failures.Add($"{nameof(BrokerOptions)}.{nameof(BrokerOptions.Host)} '{options.Host}' is not an IP address or 'localhost'.");
        }

        if (options.Port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
        {
            failures.Add(Invariant($"{nameof(BrokerOptions)}.{nameof(BrokerOptions.Port)} {options.Port} is outside 0-65535."));
        }

        if (options.MaxPacketSize is < BrokerOptions.MinimumMaxPacketSize or > BrokerOptions.MaximumMaxPacketSize)
        {
            failures.Add(Invariant(
                $"{nameof(BrokerOptions)}.{nameof(BrokerOptions.MaxPacketSize)} {options.MaxPacketSize} is outside {BrokerOptions.MinimumMaxPacketSize}-{BrokerOptions.MaximumMaxPacketSize} bytes."));
        }

        // Compared with MaxPacketSize only when that one is valid, so one mistake gives one message.
        if (options.MaxConnectPacketSize < BrokerOptions.MinimumMaxPacketSize)
        {
            failures.Add(Invariant(
                $"{nameof(BrokerOptions)}.{nameof(BrokerOptions.MaxConnectPacketSize)} {options.MaxConnectPacketSize} is below {BrokerOptions.MinimumMaxPacketSize} bytes."));
        }
        else if (options.MaxConnectPacketSize > options.MaxPacketSize && options.MaxPacketSize is >= BrokerOptions.MinimumMaxPacketSize and <= BrokerOptions.MaximumMaxPacketSize)
        {
            failures.Add(Invariant(
                $"{nameof(BrokerOptions)}.{nameof(BrokerOptions.MaxConnectPacketSize)} {options.MaxConnectPacketSize} is above {nameof(BrokerOptions)}.{nameof(BrokerOptions.MaxPacketSize)} {options.MaxPacketSize}."));
        }

        if (options.MaxConnections < 1)
        {
            failures.Add(Invariant($"{nameof(BrokerOptions)}.{nameof(BrokerOptions.MaxConnections)} {options.MaxConnections} is below 1."));
        }

        ValidateTls(options, failures);

        if (options.CredentialsPath is not null && string.IsNullOrWhiteSpace(options.CredentialsPath))
        {
            failures.Add($"{nameof(BrokerOptions)}.{nameof(BrokerOptions.CredentialsPath)} is blank; leave it unset to keep credentials in memory.");
        }

        if (options.SessionExpiry < TimeSpan.FromSeconds(1) || options.SessionExpiry > TimeSpan.FromDays(7))
        {
            failures.Add(Invariant($"{nameof(BrokerOptions)}.{nameof(BrokerOptions.SessionExpiry)} {options.SessionExpiry} is outside 1 s-7 days."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateTls(BrokerOptions options, List<string> failures)
    {
        const string Cert = $"{nameof(BrokerOptions)}.{nameof(BrokerOptions.TlsCertificatePath)}";
        const string Key = $"{nameof(BrokerOptions)}.{nameof(BrokerOptions.TlsKeyPath)}";
        if ((options.TlsCertificatePath is null) != (options.TlsKeyPath is null))
        {
            failures.Add(options.TlsCertificatePath is null
                ? $"{Key} is set but {Cert} is not; give both (PEM files) or neither."
                : $"{Cert} is set but {Key} is not; give both (PEM files) or neither.");
        }

        CheckFile(Cert, options.TlsCertificatePath, failures);
        CheckFile(Key, options.TlsKeyPath, failures);

        if (options.TlsPort is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
        {
            failures.Add(Invariant($"{nameof(BrokerOptions)}.{nameof(BrokerOptions.TlsPort)} {options.TlsPort} is outside 0-65535."));
        }
        else if (options.TlsEnabled && options.PlainListener && options.TlsPort != 0 && options.TlsPort == options.Port)
        {
            failures.Add(Invariant(
                $"{nameof(BrokerOptions)}.{nameof(BrokerOptions.TlsPort)} {options.TlsPort} is also {nameof(BrokerOptions)}.{nameof(BrokerOptions.Port)}; the plain and TLS listeners need different ports."));
        }

        if (!options.PlainListener && options.TlsCertificatePath is null && options.TlsKeyPath is null)
        {
            failures.Add($"{nameof(BrokerOptions)}.{nameof(BrokerOptions.PlainListener)} is false but no TLS certificate is configured, so the broker would not listen at all.");
        }

        if (options.TlsHandshakeTimeout < TimeSpan.FromSeconds(1) || options.TlsHandshakeTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add(Invariant($"{nameof(BrokerOptions)}.{nameof(BrokerOptions.TlsHandshakeTimeout)} {options.TlsHandshakeTimeout} is outside 1 s-5 min."));
        }
    }

    private static void CheckFile(string setting, string? path, List<string> failures)
    {
        if (path is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"{setting} is blank; leave it unset to serve plain MQTT only.");
        }
        else if (!File.Exists(path))
        {
            failures.Add($"{setting} '{path}' does not exist or is not a file.");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
