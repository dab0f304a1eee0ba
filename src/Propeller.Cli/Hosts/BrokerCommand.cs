using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Cli.Commands;
using Propeller.Contracts.Configuration;

namespace Propeller.Cli.Hosts;

/// <summary>
/// <c>propeller broker</c>: the embedded MQTT broker. Settings come from <c>BROKER_*</c> variables, overridden by
/// the flags.
/// </summary>
internal static class BrokerCommand
{
    public const string HostVariable = "BROKER_HOST";
    public const string PortVariable = "BROKER_PORT";
    public const string MaxPacketSizeVariable = "BROKER_MAX_PACKET_SIZE";
    public const string MaxConnectPacketSizeVariable = "BROKER_MAX_CONNECT_PACKET_SIZE";
    public const string MaxConnectionsVariable = "BROKER_MAX_CONNECTIONS";
    public const string TlsCertVariable = "BROKER_TLS_CERT";
    public const string TlsKeyVariable = "BROKER_TLS_KEY";
    public const string TlsPortVariable = "BROKER_TLS_PORT";
    public const string PlainVariable = "BROKER_PLAIN";
    public const string CredentialsVariable = "BROKER_CREDENTIALS_PATH";
    public const string LogLevelVariable = "BROKER_LOG_LEVEL";
    public const string DefaultCredentialsPath = "data/credentials.json";

    public static Command Build()
    {
        var host = new Option<string?>("--host") { Description = $"Address to listen on (env {HostVariable}, default {BrokerOptions.DefaultHost})" };
        var port = new Option<int?>("--port") { Description = $"TCP port (env {PortVariable}, default {BrokerOptions.DefaultPort})" };
        var credentials = new Option<string?>("--credentials") { Description = $"Credential store written by 'propeller provision' (env {CredentialsVariable}, default {DefaultCredentialsPath})" };
        var command = new Command("broker", "Run the embedded MQTT broker (authenticated, per-channel ACL)") { host, port, credentials };
        command.SetAction(async (ctx, ct) =>
        {
            var maxPacketSize = ParseInt(MaxPacketSizeVariable, BrokerOptions.DefaultMaxPacketSize);
            var options = new BrokerOptions
            {
                Host = ctx.Get(host) ?? Env(HostVariable) ?? BrokerOptions.DefaultHost,
                Port = ctx.Get(port) ?? ParseInt(PortVariable, BrokerOptions.DefaultPort),
                MaxPacketSize = maxPacketSize,

                // A smaller BROKER_MAX_PACKET_SIZE alone must not make the default CONNECT limit invalid.
                MaxConnectPacketSize = ParseInt(MaxConnectPacketSizeVariable, Math.Min(BrokerOptions.DefaultMaxConnectPacketSize, maxPacketSize)),
                MaxConnections = ParseInt(MaxConnectionsVariable, BrokerOptions.DefaultMaxConnections),
                TlsCertificatePath = Env(TlsCertVariable),
                TlsKeyPath = Env(TlsKeyVariable),
                TlsPort = ParseInt(TlsPortVariable, BrokerOptions.DefaultTlsPort),
                PlainListener = ParseBool(PlainVariable, fallback: true),
                CredentialsPath = ctx.Get(credentials) ?? Env(CredentialsVariable) ?? DefaultCredentialsPath,
            };
            if (!File.Exists(options.CredentialsPath))
            {
                throw new CliUsageException($"credential store '{options.CredentialsPath}' not found; create it with 'propeller provision --credentials {options.CredentialsPath}'");
            }

            using var loggerFactory = LoggerFactory.Create(b => b.AddJsonConsole().SetMinimumLevel(ParseLevel(Env(LogLevelVariable))));
            var store = CredentialStore.Open(options.CredentialsPath, logger: loggerFactory.CreateLogger<CredentialStore>());
            EmbeddedBroker broker;
            try
            {
                broker = await EmbeddedBroker.StartAsync(options, store, loggerFactory, ct);
            }
            catch (OptionsValidationException ex)
            {
                throw new ConfigurationException($"invalid broker settings ({string.Join(", ", VariablesOf(ex))}): {string.Join(" ", ex.Failures)}", ex);
            }

            await using var running = broker;
            await HostCommands.WaitForShutdownAsync(ct);
            return CommandRunner.Success;
        });
        return command;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value.Trim() : null;

    private static int ParseInt(string variable, int fallback) => Env(variable) is not { } text
        ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new ConfigurationException($"{variable}: '{text}' is not a whole number");

    private static bool ParseBool(string variable, bool fallback) => Env(variable)?.ToUpperInvariant() switch
    {
        null => fallback,
        "TRUE" or "1" => true,
        "FALSE" or "0" => false,
        _ => throw new ConfigurationException($"{variable}: '{Env(variable)}' is not true or false"),
    };

    // The validator names BrokerOptions properties; an operator set environment variables.
    private static IEnumerable<string> VariablesOf(OptionsValidationException exception)
    {
        var variables = new (string Setting, string Variable)[]
        {
            (nameof(BrokerOptions.Host), HostVariable),
            (nameof(BrokerOptions.Port), PortVariable),
            (nameof(BrokerOptions.MaxPacketSize), MaxPacketSizeVariable),
            (nameof(BrokerOptions.MaxConnectPacketSize), MaxConnectPacketSizeVariable),
            (nameof(BrokerOptions.MaxConnections), MaxConnectionsVariable),
            (nameof(BrokerOptions.TlsCertificatePath), TlsCertVariable),
            (nameof(BrokerOptions.TlsKeyPath), TlsKeyVariable),
            (nameof(BrokerOptions.TlsPort), TlsPortVariable),
            (nameof(BrokerOptions.PlainListener), PlainVariable),
        };
        return variables
            .Where(v => exception.Failures.Any(f => f.Contains($"{nameof(BrokerOptions)}.{v.Setting} ", StringComparison.Ordinal)))
            .Select(v => v.Variable);
    }

    internal static LogLevel ParseLevel(string? text) => text?.ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "WARN" or "WARNING" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        _ => LogLevel.Information,
    };
}
