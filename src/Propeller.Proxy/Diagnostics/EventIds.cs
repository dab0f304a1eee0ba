namespace Propeller.Proxy.Diagnostics;

/// <summary>
/// Every log event id of the proxy (range 5000-5999), so operators can alert on ids. The OCI client owns
/// 5000-5099; the proxy host, fetching and chunk publishing own 5100-5299.
/// </summary>
internal static class EventIds
{
    // OCI client 5000-5099
    public const int OciManifestResolved = 5000;
    public const int OciIndexEntrySelected = 5001;
    public const int OciLayerFallback = 5002;
    public const int OciBlobDownloaded = 5003;
    public const int OciBlobExists = 5004;
    public const int OciBlobUploaded = 5005;
    public const int OciManifestPushed = 5006;
    public const int OciAuthChallenge = 5007;
    public const int OciTokenIssued = 5008;
    public const int OciRequestFailed = 5009;
    public const int OciDigestHeaderMismatch = 5010;
    public const int OciRequestRetried = 5011;

    // Proxy host 5100-5149
    public const int ProxyStarting = 5100;
    public const int ProxyStopped = 5101;
    public const int MqttCertificateCheckDisabled = 5102;
    public const int HttpListening = 5103;
    public const int DrainTimedOut = 5104;
    public const int JobCancelledAtShutdown = 5105;

    // Fetch requests 5150-5199
    public const int MalformedRequest = 5150;
    public const int RequestQueued = 5151;
    public const int RequestJoined = 5152;
    public const int RepublishScheduled = 5153;
    public const int QueueFull = 5154;
    public const int RequestWhileStopping = 5155;

    // Fetching 5200-5249
    public const int FetchFailed = 5200;
    public const int ManifestResolved = 5201;
    public const int ArtifactDownloaded = 5202;
    public const int ArtifactFromCache = 5203;
    public const int UnchangedReplied = 5204;
    public const int ArtifactPublished = 5205;
    public const int JobCrashed = 5206;

    // Chunk and status publishing 5250-5299
    public const int PublishRetry = 5250;
    public const int ChunkPublishFailed = 5251;
    public const int StatusPublishFailed = 5252;
}
