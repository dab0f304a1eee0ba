using Microsoft.Extensions.Logging;

namespace Propeller.Proxy.Oci;

/// <summary>OCI distribution client. Skeleton with the agreed signatures: the OCI helper implements it.</summary>
internal sealed class OciRegistryClient : IDisposable
{
    public OciRegistryClient(OciClientOptions options, ILogger<OciRegistryClient> logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _ = handler;
    }

    /// <summary>Resolves the manifest (following an image index) and selects the Wasm layer.</summary>
    /// <exception cref="OciRegistryException">The registry refused, the manifest is unusable, or no layer fits.</exception>
    public Task<ResolvedArtifact> ResolveAsync(OciReference reference, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Downloads a blob, verifying its digest and refusing more than <paramref name="maxBytes"/>.</summary>
    /// <exception cref="OciRegistryException">Download failed, digest mismatch, or over the cap.</exception>
    public Task<byte[]> DownloadBlobAsync(OciReference reference, OciDescriptor blob, long maxBytes, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Publishes <paramref name="wasm"/> as a Wasm OCI artifact (config <c>application/vnd.wasm.config.v0+json</c>, layer <c>application/wasm</c>).</summary>
    public Task<OciPushResult> PushWasmAsync(OciReference target, ReadOnlyMemory<byte> wasm, CancellationToken cancellationToken) => throw new NotImplementedException();

    public void Dispose()
    {
    }
}
