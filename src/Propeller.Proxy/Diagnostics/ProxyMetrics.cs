using Prometheus;

namespace Propeller.Proxy.Diagnostics;

/// <summary>
/// The Prometheus metrics of one proxy, in a registry of its own so several proxies can live in one process.
/// Tests read the counters in process through the properties.
/// </summary>
internal sealed class ProxyMetrics
{
    private readonly Counter _requests;
    private readonly Counter _deduplicated;
    private readonly Counter _manifestResolutions;
    private readonly Counter _blobDownloads;
    private readonly Counter _cacheHits;
    private readonly Counter _unchangedReplies;
    private readonly Counter _fetchFailures;
    private readonly Counter _chunksPublished;
    private readonly Counter _bytesPublished;
    private readonly Counter _mqttConnects;
    private readonly Gauge _cacheBytes;

    public ProxyMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("proxy_requests_total", "Well-formed fetch requests received on registry/proplet.");
        _deduplicated = factory.CreateCounter("proxy_requests_deduplicated_total", "Requests that joined a job already queued or running for their app_name.");
        _manifestResolutions = factory.CreateCounter("proxy_manifest_resolutions_total", "Manifests resolved at a registry.");
        _blobDownloads = factory.CreateCounter("proxy_blob_downloads_total", "Artifact layers downloaded from a registry.");
        _cacheHits = factory.CreateCounter("proxy_cache_hits_total", "Artifacts served from the in-memory blob cache.");
        _unchangedReplies = factory.CreateCounter("proxy_unchanged_replies_total", "registry/status replies telling proplets their cached artifact is current.");
        _fetchFailures = factory.CreateCounter("proxy_fetch_failures_total", "Jobs that ended with an error status.");
        _chunksPublished = factory.CreateCounter("proxy_chunks_published_total", "Chunks published on registry/server.");
        _bytesPublished = factory.CreateCounter("proxy_bytes_published_total", "Artifact bytes published on registry/server (before base64).");
        _mqttConnects = factory.CreateCounter("proxy_mqtt_connects_total", "MQTT connects, the first one included.");
        _cacheBytes = factory.CreateGauge("proxy_cache_bytes", "Bytes held by the in-memory blob cache.");
    }

    /// <summary>The registry <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    public long Requests => (long)_requests.Value;

    public long Deduplicated => (long)_deduplicated.Value;

    public long ManifestResolutions => (long)_manifestResolutions.Value;

    public long BlobDownloads => (long)_blobDownloads.Value;

    public long CacheHits => (long)_cacheHits.Value;

    public long UnchangedReplies => (long)_unchangedReplies.Value;

    public long FetchFailures => (long)_fetchFailures.Value;

    public long ChunksPublished => (long)_chunksPublished.Value;

    public long BytesPublished => (long)_bytesPublished.Value;

    public long MqttConnects => (long)_mqttConnects.Value;

    public long CacheBytes => (long)_cacheBytes.Value;

    public void RequestReceived() => _requests.Inc();

    public void RequestDeduplicated() => _deduplicated.Inc();

    public void ManifestResolved() => _manifestResolutions.Inc();

    public void BlobDownloaded() => _blobDownloads.Inc();

    public void CacheHit() => _cacheHits.Inc();

    public void UnchangedReplied() => _unchangedReplies.Inc();

    public void FetchFailed() => _fetchFailures.Inc();

    public void ChunkPublished(int bytes)
    {
        _chunksPublished.Inc();
        _bytesPublished.Inc(bytes);
    }

    public void MqttConnected() => _mqttConnects.Inc();

    public void CacheSizeChanged(long bytes) => _cacheBytes.Set(bytes);
}
