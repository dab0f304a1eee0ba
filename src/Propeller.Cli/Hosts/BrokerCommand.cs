using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
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
            var options = new BrokerOptions
            {
                Host = ctx.Get(host) ?? Env(HostVariable) ?? BrokerOptions.DefaultHost,
                Port = ctx.Get(port) ?? ParseInt(PortVariable, BrokerOptions.DefaultPort),
                MaxPacketSize = ParseInt(MaxPacketSizeVariable, BrokerOptions.DefaultMaxPacketSize),
                CredentialsPath = ctx.Get(credentials) ?? Env(CredentialsVariable) ?? DefaultCredentialsPath,
            };
            if (!File.Exists(options.CredentialsPath))
            {
                throw new CliUsageException($"credential store '{options.CredentialsPath}' not found; create it with 'propeller provision --credentials {options.CredentialsPath}'");
            }

            using var loggerFactory = LoggerFactory.Create(b => b.AddJsonConsole().SetMinimumLevel(ParseLevel(Env(LogLevelVariable))));
            var store = CredentialStore.Open(options.CredentialsPath, logger: loggerFactory.CreateLogger<CredentialStore>());
            await using var broker = await EmbeddedBroker.StartAsync(options, store, loggerFactory, ct);
            await HostCommands.WaitForShutdownAsync(ct);
            return CommandRunner.Success;
        });
        return command;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value.Trim() : null;

    private static int ParseInt(string variable, int fallback) => Env(variable) is not { } text
        ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new ConfigurationException($"{variable}: '{text}' is not a whole number");

    internal static LogLevel ParseLevel(string? text) => text?.ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "WARN" or "WARNING" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        _ => LogLevel.Information,
    };
}
