using System.CommandLine;
using Propeller.Cli.Commands;
using Propeller.Manager.Hosting;

namespace Propeller.Cli.Hosts;

/// <summary><c>propeller manager</c>: the manager from <c>MANAGER_*</c> variables with the config.toml fallback.</summary>
internal static class ManagerCommand
{
    public static Command Build()
    {
        var config = new Option<string>("--config") { Description = "config.toml holding the [manager] credentials", DefaultValueFactory = _ => ManagerOptions.DefaultConfigFile };
        var insecure = new Option<bool>("--insecure-no-auth") { Description = "Serve the REST API without the Bearer key (loopback development only)" };
        var command = new Command("manager", "Run the manager: REST API, scheduler and storage") { config, insecure };
        command.SetAction(async (ctx, ct) =>
        {
            var options = ManagerOptions.FromEnvironment(Environment.GetEnvironmentVariable, ctx.Get(config));
            if (ctx.Get(insecure))
            {
                options = options with { InsecureNoAuth = true };
            }

            await using var app = ManagerApp.Build(options);
            try
            {
                await app.StartAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                // The storage or the broker is unreachable, or a port is taken: say which, without a stack trace.
                ctx.Console.Error($"the manager could not start: {ex.Message}");
                return CommandRunner.Failure;
            }

            await HostCommands.WaitForShutdownAsync(ct);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await app.StopAsync(stop.Token);
            return CommandRunner.Success;
        });
        return command;
    }
}
