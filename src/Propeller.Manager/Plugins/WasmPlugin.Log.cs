using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Plugins;

internal sealed partial class WasmPlugin
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.PluginStdout, EventName = nameof(EventIds.PluginStdout), Level = LogLevel.Information,
            Message = "Plugin {Plugin}: {Line}")]
        public static partial void Stdout(ILogger logger, string plugin, string line);

        [LoggerMessage(EventId = EventIds.PluginStderr, EventName = nameof(EventIds.PluginStderr), Level = LogLevel.Warning,
            Message = "Plugin {Plugin} (stderr): {Line}")]
        public static partial void Stderr(ILogger logger, string plugin, string line);

        [LoggerMessage(EventId = EventIds.PluginReinstantiated, EventName = nameof(EventIds.PluginReinstantiated), Level = LogLevel.Debug,
            Message = "Plugin {Plugin} gets a fresh instance after its last call failed")]
        public static partial void Reinstantiated(ILogger logger, string plugin);
    }
}
