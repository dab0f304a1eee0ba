using Microsoft.Extensions.Logging;
using Propeller.Contracts.Configuration;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Hosting;

namespace Propeller.Manager.Plugins;

/// <summary>
/// Loads every <c>*.wasm</c> file directly inside <c>MANAGER_PLUGIN_DIR</c>, in ordinal file-name order (so the
/// merge order does not depend on the file system), named after the file without <c>.wasm</c>.
/// </summary>
internal static partial class PluginLoader
{
    /// <summary>
    /// A missing directory gives a warning and no plugins; a path that is not a directory is a
    /// <see cref="ConfigurationException"/>; a plugin that fails to load is logged and skipped.
    /// </summary>
    public static IReadOnlyList<WasmPlugin> Load(string? directory, TimeSpan timeout, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (string.IsNullOrWhiteSpace(directory))
        {
            return [];
        }

        if (!Directory.Exists(directory))
        {
            if (File.Exists(directory))
            {
                throw new ConfigurationException($"{ManagerEnvironment.PluginDir}: '{directory}' is a file, not a directory");
            }

            Log.DirectoryMissing(logger, directory);
            return [];
        }

        var plugins = new List<WasmPlugin>();
        var files = Directory.EnumerateFiles(directory, "*.wasm", SearchOption.TopDirectoryOnly)
            .Where(f => f.EndsWith(".wasm", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            try
            {
                var plugin = WasmPlugin.Load(name, File.ReadAllBytes(file), timeout, logger);
                plugins.Add(plugin);
                Log.Loaded(logger, name, plugin.Hooks.Count == 0 ? "(none)" : string.Join(", ", plugin.Hooks.Order(StringComparer.Ordinal)));
                if (!plugin.Hooks.Contains(WasmPlugin.Authorize))
                {
                    Log.WithoutAuthorize(logger, name);
                }
            }
            catch (Exception e) when (e is PluginLoadException or IOException or UnauthorizedAccessException)
            {
                Log.LoadFailed(logger, name, file, e.Message);
            }
        }

        Log.AllLoaded(logger, plugins.Count, directory);
        return plugins;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.PluginsLoaded, EventName = nameof(EventIds.PluginsLoaded), Level = LogLevel.Information,
            Message = "{Count} plugin(s) loaded from {Directory}")]
        public static partial void AllLoaded(ILogger logger, int count, string directory);

        [LoggerMessage(EventId = EventIds.PluginDirMissing, EventName = nameof(EventIds.PluginDirMissing), Level = LogLevel.Warning,
            Message = "Plugin directory {Directory} does not exist; running without plugins")]
        public static partial void DirectoryMissing(ILogger logger, string directory);

        [LoggerMessage(EventId = EventIds.PluginLoaded, EventName = nameof(EventIds.PluginLoaded), Level = LogLevel.Information,
            Message = "Plugin {Plugin} loaded with hooks {Hooks}")]
        public static partial void Loaded(ILogger logger, string plugin, string hooks);

        [LoggerMessage(EventId = EventIds.PluginLoadFailed, EventName = nameof(EventIds.PluginLoadFailed), Level = LogLevel.Error,
            Message = "Plugin {Plugin} ({File}) could not be loaded and is skipped: {Reason}")]
        public static partial void LoadFailed(ILogger logger, string plugin, string file, string reason);

        [LoggerMessage(EventId = EventIds.PluginWithoutAuthorize, EventName = nameof(EventIds.PluginWithoutAuthorize), Level = LogLevel.Warning,
            Message = "Plugin {Plugin} has no authorize hook: all requests will be permitted by it")]
        public static partial void WithoutAuthorize(ILogger logger, string plugin);
    }
}
