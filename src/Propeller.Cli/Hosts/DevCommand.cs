using System.CommandLine;
using Microsoft.Extensions.Logging;
using Propeller.Cli.Commands;

namespace Propeller.Cli.Hosts;

/// <summary><c>propeller dev</c>: the whole system in one process on loopback until Ctrl+C.</summary>
internal static class DevCommand
{
    public static Command Build()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Where credentials, config.toml and the database live", DefaultValueFactory = _ => ".propeller" };
        var proplets = new Option<int>("--proplets") { Description = "How many proplets to run", DefaultValueFactory = _ => 2 };
        var mqttPort = new Option<int>("--mqtt-port") { Description = "Broker port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 1883 };
        var httpPort = new Option<int>("--http-port") { Description = "Manager port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 7070 };
        var proxyPort = new Option<int>("--proxy-port") { Description = "Proxy /health and /metrics port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 9191 };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug messages" };
        var command = new Command("dev", "Run broker + manager + OCI proxy + proplets in this process on loopback (no REST auth)")
        {
            dataDir, proplets, mqttPort, httpPort, proxyPort, verbose,
        };
        command.SetAction(async (ctx, ct) =>
        {
            var options = new DevStackOptions
            {
                DataDir = ctx.Get(dataDir),
                Proplets = ctx.Get(proplets),
                MqttPort = ctx.Get(mqttPort),
                HttpPort = ctx.Get(httpPort),
                ProxyHttpPort = ctx.Get(proxyPort),
                ProxyEnvironment = RegistrySettingsFromEnvironment(),
                LogLevel = ctx.Get(verbose) ? LogLevel.Debug : LogLevel.Information,
            };
            var logging = HostLogging.Readable(options.LogLevel);
            using var loggerFactory = HostLogging.Factory(logging);
            await using var stack = await DevStack.StartAsync(options, loggerFactory, logging, ct);
            ctx.Console.Line($"[green]Propeller dev stack is up[/]");
            ctx.Console.Line($"  manager  {stack.ManagerUrl}  (no auth; try: propeller proplets list)");
            ctx.Console.Line($"  broker   tcp://127.0.0.1:{stack.MqttPort}  (credentials in {Spectre.Console.Markup.Escape(stack.ConfigPath)})");
            ctx.Console.Line($"  proxy    {stack.ProxyUrl}health  (OCI references in image_url; registry settings from PROXY_* variables)");
            ctx.Console.Line($"  proplets {string.Join(", ", stack.PropletIds)}");
            ctx.Console.Line("Press Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                ctx.Console.Line("Stopping...");
            }

            return CommandRunner.Success;
        });
        return command;
    }

    /// <summary>
    /// The registry settings a developer exports (<c>PROXY_AUTHENTICATE</c>, <c>PROXY_REGISTRY_*</c>,
    /// <c>PROXY_INSECURE_REGISTRIES</c>, limits) reach the stack's proxy; its identity and addresses stay the stack's.
    /// </summary>
    private static Dictionary<string, string> RegistrySettingsFromEnvironment()
    {
        string[] owned = ["PROXY_CONFIG_FILE", "PROXY_MQTT_ADDRESS", "PROXY_HTTP_HOST", "PROXY_HTTP_PORT", "PROXY_TENANT_ID", "PROXY_CHANNEL_ID", "PROXY_ENTITY_ID", "PROXY_API_KEY"];
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith("PROXY_", StringComparison.Ordinal) && !owned.Contains(key) && entry.Value is string value)
            {
                settings[key] = value;
            }
        }

        return settings;
    }
}
