using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Propeller.Cli.Commands;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Hosting;

namespace Propeller.Cli.Hosts;

/// <summary><c>propeller proplet</c>: one worker from <c>PROPLET_*</c> variables with the config.toml fallback.</summary>
internal static class PropletCommand
{
    public static Command Build()
    {
        var command = new Command("proplet", "Run a proplet (worker) that executes Wasm tasks");
        command.SetAction(async (ctx, ct) =>
        {
            using var host = PropletApp.Build(PropletOptions.FromProcessEnvironment());
            await host.StartAsync(ct);
            await HostCommands.WaitForShutdownAsync(ct);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(stop.Token);
            return CommandRunner.Success;
        });
        return command;
    }
}
