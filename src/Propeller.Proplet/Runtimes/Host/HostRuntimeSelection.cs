using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Propeller.Proplet.Configuration;

namespace Propeller.Proplet.Runtimes.Host;

/// <summary>
/// Picks the proplet's main runtime at start-up (proplet-reference §3.1): the external runtime named by
/// <c>PROPLET_EXTERNAL_WASM_RUNTIME</c> when it is found, else the embedded one, with a warning when the
/// configured runtime is missing.
/// </summary>
internal static partial class HostRuntimeSelection
{
    /// <summary>What discovery reports as <c>wasm_runtime</c> for the embedded runtime.</summary>
    public const string EmbeddedRuntimeName = "wasmtime-internal";

    public static IWasmRuntime Select(IServiceProvider services, Func<IWasmRuntime> embedded)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(embedded);
        var options = services.GetRequiredService<PropletOptions>();
        if (options.ExternalWasmRuntime is not { } configured)
        {
            return embedded();
        }

        var logger = services.GetRequiredService<ILogger<HostProcessRuntime>>();
        if (ExternalRuntimeLocator.Locate(configured) is not { } path)
        {
            Log.RuntimeNotFound(logger, PropletVariables.ExternalWasmRuntime, configured);
            return embedded();
        }

        Log.RuntimeSelected(logger, path);
        return new HostProcessRuntime(path, options.Runtime, logger);
    }

    /// <summary>
    /// The <c>wasm_runtime</c> discovery reports: the configured value while that runtime is found, so a proplet
    /// that fell back to the embedded runtime does not claim an external one.
    /// </summary>
    public static string RuntimeName(PropletOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ExternalWasmRuntime is { } configured && ExternalRuntimeLocator.Locate(configured) is not null
            ? configured
            : EmbeddedRuntimeName;
    }

    private static partial class Log
    {
        [LoggerMessage(Diagnostics.EventIds.ExternalRuntimeSelected, LogLevel.Information, "Running tasks with the external Wasm runtime {Path}")]
        public static partial void RuntimeSelected(ILogger logger, string path);

        [LoggerMessage(Diagnostics.EventIds.ExternalRuntimeNotFound, LogLevel.Warning, "{Variable}: external Wasm runtime '{Configured}' not found; running tasks with the embedded Wasmtime runtime")]
        public static partial void RuntimeNotFound(ILogger logger, string variable, string configured);
    }
}
