using System.CommandLine;
using System.Text.Json;
using Propeller.Cli.Client;
using Propeller.Cli.Output;
using Propeller.Contracts.Configuration;

namespace Propeller.Cli.Commands;

/// <summary>
/// Wraps a command body: expected failures print <c>error: ...</c> and exit 1, anything unexpected exits 2.
/// The original CLI exited 0 on API errors; ours never does (ops-reference §1.2).
/// </summary>
internal static class CommandRunner
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Crash = 2;

    public static void SetAction(this Command command, Func<CommandContext, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, ct) =>
        {
            var console = new CliConsole(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(GlobalOptions.Json));
            try
            {
                return await body(new CommandContext(parse, console), ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ManagerApiException or ConfigurationException or CliUsageException or Broker.Provisioning.ProvisioningException or Broker.Credentials.CredentialStoreException or IOException or UnauthorizedAccessException or JsonException or FormatException)
            {
                console.Error(ex.Message);
                return Failure;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                console.Error("cancelled");
                return Failure;
            }
        });

    public static void SetAction(this Command command, Func<CommandContext, CancellationToken, Task> body) =>
        command.SetAction(async (context, ct) =>
        {
            await body(context, ct).ConfigureAwait(false);
            return Success;
        });
}
