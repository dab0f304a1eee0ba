using Microsoft.Extensions.Logging;
using Propeller.Proxy.Diagnostics;

namespace Propeller.Proxy.Fetching;

internal sealed partial class ArtifactSource
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.ManifestResolved, LogLevel.Debug, "Resolved {AppName}: manifest {ManifestDigest}, layer {LayerDigest} ({Size} bytes)")]
        public static partial void ManifestResolved(ILogger logger, string appName, string manifestDigest, string layerDigest, long size);

        [LoggerMessage(EventIds.ArtifactDownloaded, LogLevel.Information, "Downloaded {AppName} ({Digest}, {Size} bytes)")]
        public static partial void ArtifactDownloaded(ILogger logger, string appName, string digest, int size);

        [LoggerMessage(EventIds.ArtifactFromCache, LogLevel.Debug, "Serving {AppName} ({Digest}, {Size} bytes) from the blob cache")]
        public static partial void ArtifactFromCache(ILogger logger, string appName, string digest, int size);
    }
}
