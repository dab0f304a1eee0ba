using System.CommandLine;

namespace Propeller.Cli.Hosts;

/// <summary>The commands that run parts of the system in this process, and provisioning.</summary>
internal static class HostCommands
{
    public static IEnumerable<Command> Build() =>
    [
        BrokerCommand.Build(),
        ManagerCommand.Build(),
        PropletCommand.Build(),
        ProxyCommand.Build(),
        DevCommand.Build(),
        DemoCommand.Build(),
        ProvisionCommand.Build(),
    ];

    /// <summary>Waits for Ctrl+C / SIGTERM (the token System.CommandLine cancels).</summary>
    public static async Task WaitForShutdownAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutdown requested.
        }
    }
}
