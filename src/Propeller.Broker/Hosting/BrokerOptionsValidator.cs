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

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
