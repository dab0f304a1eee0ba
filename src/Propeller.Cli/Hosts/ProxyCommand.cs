using System.CommandLine;
using Propeller.Cli.Commands;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Hosting;

namespace Propeller.Cli.Hosts;

/// <summary><c>propeller proxy</c>: streams Wasm from OCI registries to proplets, from <c>PROXY_*</c> variables with the config.toml fallback.</summary>
internal static class ProxyCommand
{
    public static Command Build()
    {
        var config = new Option<string?>("--config") { Description = "config.toml holding the [proxy] credentials (default: PROXY_CONFIG_FILE or ./config.toml)" };
        var command = new Command("proxy", "Run the proxy: pulls Wasm artifacts from OCI registries and streams them to proplets over MQTT") { config };
        command.SetAction(async (ctx, ct) =>
        {
            var file = ctx.Get(config);
            var options = ProxyOptions.FromEnvironment(name =>
                file is not null && name == ProxyVariables.ConfigFile ? file : Environment.GetEnvironmentVariable(name));
            await using var app = ProxyApp.Build(options);
            await app.StartAsync(ct);
            await HostCommands.WaitForShutdownAsync(ct);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await app.StopAsync(stop.Token);
            return CommandRunner.Success;
        });
        return command;
    }
}
