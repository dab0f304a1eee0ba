using Microsoft.Extensions.Logging;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Diagnostics;
using Propeller.Proxy.Oci;

namespace Propeller.Proxy.Fetching;

/// <summary>
/// Turns an <c>app_name</c> into artifact bytes: parses the reference, resolves the manifest at the registry
/// every time (tags move), and takes the layer from the blob cache or downloads it. Every failure becomes a
/// <see cref="FetchFailedException"/> whose message a proplet can show as the task's error.
/// </summary>
internal sealed partial class ArtifactSource
{
    private readonly OciRegistryClient _client;
    private readonly BlobCache _cache;
    private readonly ProxyMetrics _metrics;
    private readonly long _maxBytes;
    private readonly ILogger _logger;

    public ArtifactSource(OciRegistryClient client, BlobCache cache, ProxyOptions options, ProxyMetrics metrics, ILogger<ArtifactSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _cache = cache;
        _metrics = metrics;
        _maxBytes = options.MaxArtifactBytes;
        _logger = logger;
    }

    /// <exception cref="FetchFailedException"><paramref name="appName"/> is not an OCI reference.</exception>
    public static OciReference ParseReference(string appName)
    {
        if (OciReference.TryParse(appName, out var reference, out var error) && reference is not null)
        {
            return reference;
        }

        // The parser's own text may already be the whole sentence.
        var prefix = $"invalid OCI reference '{appName}': ";
        error ??= "not a registry/repository[:tag][@digest] reference";
        throw new FetchFailedException(error.StartsWith(prefix, StringComparison.Ordinal) ? error : prefix + error);
    }

    /// <summary>Asks the registry which layer <paramref name="reference"/> names now.</summary>
    /// <exception cref="FetchFailedException">The registry refused or the manifest is unusable.</exception>
    public async Task<ResolvedArtifact> ResolveAsync(OciReference reference, string appName, CancellationToken cancellationToken)
    {
        var artifact = await GuardAsync(() => _client.ResolveAsync(reference, cancellationToken), appName, "resolving", cancellationToken).ConfigureAwait(false);
        _metrics.ManifestResolved();
        Log.ManifestResolved(_logger, appName, artifact.ManifestDigest, artifact.Layer.Digest, artifact.Layer.Size);
        return artifact;
    }

    /// <summary>The layer's bytes, from the cache when it holds the digest, else downloaded (and then cached).</summary>
    /// <exception cref="FetchFailedException">The download failed or the artifact is empty.</exception>
    public async Task<byte[]> GetBytesAsync(ResolvedArtifact artifact, string appName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var layer = artifact.Layer;
        if (_cache.TryGet(layer.Digest, out var cached))
        {
            _metrics.CacheHit();
            Log.ArtifactFromCache(_logger, appName, layer.Digest, cached.Length);
            return cached;
        }

        if (layer.Size == 0)
        {
            throw new FetchFailedException($"artifact {appName} is empty");
        }

        var bytes = await GuardAsync(
            () => _client.DownloadBlobAsync(artifact.Reference, layer, _maxBytes, cancellationToken), appName, "downloading", cancellationToken).ConfigureAwait(false);
        _metrics.BlobDownloaded();
        if (bytes.Length == 0)
        {
            throw new FetchFailedException($"artifact {appName} is empty");
        }

        Log.ArtifactDownloaded(_logger, appName, layer.Digest, bytes.Length);
        _cache.Add(layer.Digest, bytes);
        return bytes;
    }

    // The OCI client reports registry problems as OciRegistryException; transport failures that slip past it still
    // get a sentence naming the artifact rather than a bare exception text.
    private static async Task<T> GuardAsync<T>(Func<Task<T>> operation, string appName, string step, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (OciRegistryException e)
        {
            throw new FetchFailedException(e.Message, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new FetchFailedException($"{step} {appName} failed: {e.Message}", e);
        }
    }
}
