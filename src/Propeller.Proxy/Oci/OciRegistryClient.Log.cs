using Microsoft.Extensions.Logging;
using Propeller.Proxy.Diagnostics;

namespace Propeller.Proxy.Oci;

internal sealed partial class OciRegistryClient
{
    // Credentials and tokens are never logged; references, digests and hosts are. Resolve and download are Debug:
    // the proxy logs its own fetch events (5201, 5202) at Information, and those would double them.
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.OciManifestResolved, EventName = nameof(EventIds.OciManifestResolved), Level = LogLevel.Debug,
            Message = "Resolved {Reference} to manifest {ManifestDigest}: layer {LayerDigest} ({LayerMediaType}, {LayerSize} bytes)")]
        public static partial void ManifestResolved(ILogger logger, OciReference reference, string manifestDigest, string layerDigest, string layerMediaType, long layerSize);

        [LoggerMessage(EventId = EventIds.OciIndexEntrySelected, EventName = nameof(EventIds.OciIndexEntrySelected), Level = LogLevel.Debug,
            Message = "Image index of {Reference} lists {Count} manifests; selected {Digest} (platform {Os}/{Architecture})")]
        public static partial void IndexEntrySelected(ILogger logger, OciReference reference, int count, string digest, string? os, string? architecture);

        [LoggerMessage(EventId = EventIds.OciLayerFallback, EventName = nameof(EventIds.OciLayerFallback), Level = LogLevel.Debug,
            Message = "Manifest of {Reference} has no layer with a Wasm media type; using the largest layer {Digest} ({MediaType})")]
        public static partial void LayerFallback(ILogger logger, OciReference reference, string digest, string mediaType);

        [LoggerMessage(EventId = EventIds.OciBlobDownloaded, EventName = nameof(EventIds.OciBlobDownloaded), Level = LogLevel.Debug,
            Message = "Downloaded blob {Digest} of {Reference} ({Size} bytes, digest verified)")]
        public static partial void BlobDownloaded(ILogger logger, string digest, OciReference reference, long size);

        [LoggerMessage(EventId = EventIds.OciBlobExists, EventName = nameof(EventIds.OciBlobExists), Level = LogLevel.Debug,
            Message = "Blob {Digest} already exists in {Registry}/{Repository}; not uploading it")]
        public static partial void BlobExists(ILogger logger, string digest, string registry, string repository);

        [LoggerMessage(EventId = EventIds.OciBlobUploaded, EventName = nameof(EventIds.OciBlobUploaded), Level = LogLevel.Debug,
            Message = "Uploaded blob {Digest} ({Size} bytes) to {Registry}/{Repository}")]
        public static partial void BlobUploaded(ILogger logger, string digest, long size, string registry, string repository);

        [LoggerMessage(EventId = EventIds.OciManifestPushed, EventName = nameof(EventIds.OciManifestPushed), Level = LogLevel.Information,
            Message = "Pushed {Reference}: manifest {ManifestDigest}, Wasm layer {LayerDigest} ({LayerSize} bytes)")]
        public static partial void ManifestPushed(ILogger logger, OciReference reference, string manifestDigest, string layerDigest, long layerSize);

        [LoggerMessage(EventId = EventIds.OciAuthChallenge, EventName = nameof(EventIds.OciAuthChallenge), Level = LogLevel.Debug,
            Message = "Registry {Host} asks for {Scheme} authentication (realm {Realm}, service {Service})")]
        public static partial void AuthChallenge(ILogger logger, string host, string scheme, string? realm, string? service);

        [LoggerMessage(EventId = EventIds.OciTokenIssued, EventName = nameof(EventIds.OciTokenIssued), Level = LogLevel.Debug,
            Message = "Token service {Realm} issued a token for {Scope} at {Host} (cached for {Lifetime}, {Mode})")]
        public static partial void TokenIssued(ILogger logger, string realm, string scope, string host, TimeSpan lifetime, string mode);

        [LoggerMessage(EventId = EventIds.OciRequestFailed, EventName = nameof(EventIds.OciRequestFailed), Level = LogLevel.Debug,
            Message = "Registry request {Method} {Uri} failed: {Error}")]
        public static partial void RequestFailed(ILogger logger, HttpMethod method, Uri? uri, string error);

        [LoggerMessage(EventId = EventIds.OciDigestHeaderMismatch, EventName = nameof(EventIds.OciDigestHeaderMismatch), Level = LogLevel.Warning,
            Message = "Registry {Host} labelled the manifest of {Reference} {HeaderDigest}, but its bytes hash to {ComputedDigest}; using the computed digest")]
        public static partial void DigestHeaderMismatch(ILogger logger, string host, OciReference reference, string headerDigest, string computedDigest);

        [LoggerMessage(EventId = EventIds.OciRequestRetried, EventName = nameof(EventIds.OciRequestRetried), Level = LogLevel.Information,
            Message = "Registry request {Method} {Uri} failed ({Error}); retrying in {Delay}")]
        public static partial void RequestRetried(ILogger logger, HttpMethod method, Uri? uri, string error, TimeSpan delay);
    }
}
