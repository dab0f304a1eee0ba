using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Propeller.Proxy.Oci;

/// <summary>
/// OCI distribution client for Wasm artifacts: resolves references (following image indexes), downloads blobs with
/// digest and size checks, and pushes Wasm as an OCI artifact. Hosts are reached as <see cref="OciEndpoint"/> says
/// (HTTPS, plain HTTP for loopback and configured insecure hosts) and authenticated as
/// <see cref="RegistryAuthenticator"/> says (anonymous, Basic, Bearer token flow, static token). Every failure is an
/// <see cref="OciRegistryException"/> whose message names the reference and quotes what the registry said.
/// Thread-safe; one instance is meant to be shared.
/// </summary>
internal sealed partial class OciRegistryClient : IDisposable
{
    /// <summary>Docker's limit for manifests; anything larger is not a manifest.</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    private const string ContentDigestHeader = "Docker-Content-Digest";
    private const string TitleAnnotation = "org.opencontainers.image.title";

    /// <summary>The config blob of a pushed Wasm artifact: an empty JSON object.</summary>
    private static readonly byte[] WasmConfigBlob = "{}"u8.ToArray();

    /// <summary>Pauses before the retries of a GET or HEAD answered 502/503/504.</summary>
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)];

    private readonly OciClientOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly RegistryAuthenticator _auth;

    public OciRegistryClient(OciClientOptions options, ILogger<OciRegistryClient> logger, HttpMessageHandler? handler = null)
        : this(options, logger, handler, TimeProvider.System)
    {
    }

    /// <summary>As the public constructor, with the clock that token lifetimes are measured on.</summary>
    internal OciRegistryClient(OciClientOptions options, ILogger<OciRegistryClient> logger, HttpMessageHandler? handler, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the registry request timeout must be positive, not {options.RequestTimeout}", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        _http = new HttpClient(handler ?? CreateHandler(options), disposeHandler: handler is null)
        {
            // Every call applies RequestTimeout itself (headers, then each body read), so large blobs are not cut off.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _auth = new RegistryAuthenticator(options, _http, logger, time);
    }

    /// <summary>Resolves the manifest (following an image index) and selects the Wasm layer.</summary>
    /// <remarks>
    /// An index entry is chosen by platform (os <c>wasip1</c>, <c>wasip2</c> or <c>wasi</c>, or architecture
    /// <c>wasm</c>/<c>wasm32</c>), else the only entry, else the first. The layer is the first with a Wasm media type
    /// (<see cref="OciMediaTypes.WasmLayers"/>, in that order of preference), else the largest non-empty one.
    /// <see cref="ResolvedArtifact.ManifestDigest"/> is the digest of the manifest the reference names (the index
    /// when it names one), so <c>repo@ManifestDigest</c> resolves to the same artifact.
    /// </remarks>
    /// <exception cref="OciRegistryException">The registry refused, the manifest is unusable, or no layer fits.</exception>
    public async Task<ResolvedArtifact> ResolveAsync(OciReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var top = await FetchManifestAsync(reference, reference.ManifestReference, reference.Digest, cancellationToken).ConfigureAwait(false);
        var manifest = top.Document;
        if (top.IsIndex)
        {
            var entry = SelectIndexEntry(reference, manifest);
            var child = await FetchManifestAsync(reference, entry.Digest!, entry.Digest, cancellationToken).ConfigureAwait(false);
            if (child.IsIndex)
            {
                throw new OciRegistryException($"image index of {reference} points at another image index ({entry.Digest}); nested indexes are not supported");
            }

            manifest = child.Document;
        }

        var layer = SelectLayer(reference, manifest);
        Log.ManifestResolved(_logger, reference, top.Digest, layer.Digest, layer.MediaType, layer.Size);
        return new ResolvedArtifact(reference, top.Digest, layer);
    }

    /// <summary>Downloads a blob, verifying its digest and refusing more than <paramref name="maxBytes"/>.</summary>
    /// <remarks>Redirects (e.g. to object storage) are followed. The size declared by the descriptor or the response is
    /// checked before reading, and the running total while reading.</remarks>
    /// <exception cref="OciRegistryException">Download failed, digest mismatch, or over the cap.</exception>
    public async Task<byte[]> DownloadBlobAsync(OciReference reference, OciDescriptor blob, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        if (!OciReference.IsSha256Digest(blob.Digest))
        {
            throw new OciRegistryException($"cannot verify blob '{blob.Digest}' of {reference}: only sha256 digests are supported");
        }

        if (blob.Size > maxBytes)
        {
            throw TooLarge(reference, maxBytes);
        }

        var uri = new Uri(BaseUri(reference), $"v2/{reference.Repository}/blobs/{blob.Digest}");
        using var response = await SendAsync(reference, push: false, () => new HttpRequestMessage(HttpMethod.Get, uri), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, reference, $"blob {blob.Digest}", cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw TooLarge(reference, maxBytes);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var capacity = blob.Size > 0 ? (int)Math.Min(blob.Size, Math.Min(maxBytes, Array.MaxLength)) : 0;
        using var content = new MemoryStream(capacity);
        var buffer = new byte[81920];
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                // The timeout bounds each read, not the whole body, so a large blob on a slow link still arrives.
                idle.CancelAfter(_options.RequestTimeout);
                var read = await stream.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                if (content.Length + read > maxBytes)
                {
                    throw TooLarge(reference, maxBytes);
                }

                hash.AppendData(buffer, 0, read);
                content.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OciRegistryException($"download of {reference} from registry {reference.Registry} stalled: no data for {Seconds(_options.RequestTimeout)}", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new OciRegistryException($"download of {reference} from registry {reference.Registry} failed: {NetworkErrorText(ex)}", ex);
        }

        var actual = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual != blob.Digest)
        {
            var sizes = content.Length == blob.Size ? "" : $" ({blob.Size} bytes expected, {content.Length} received)";
            throw new OciRegistryException($"digest mismatch for {reference}: expected {blob.Digest}, got {actual}{sizes}");
        }

        if (blob.Size > 0 && content.Length != blob.Size)
        {
            throw new OciRegistryException($"size mismatch for {reference}: the manifest declares {blob.Size} bytes, the blob has {content.Length}");
        }

        Log.BlobDownloaded(_logger, blob.Digest, reference, content.Length);
        return content.Length == content.Capacity ? content.GetBuffer() : content.ToArray();
    }

    /// <summary>Publishes <paramref name="wasm"/> as a Wasm OCI artifact (config <c>application/vnd.wasm.config.v0+json</c>, layer <c>application/wasm</c>).</summary>
    /// <remarks>The layer's title annotation is the repository's last path segment plus <c>.wasm</c>.</remarks>
    /// <exception cref="OciRegistryException">The registry refused or could not be reached.</exception>
    public Task<OciPushResult> PushWasmAsync(OciReference target, ReadOnlyMemory<byte> wasm, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return PushWasmAsync(target, wasm, target.Repository[(target.Repository.LastIndexOf('/') + 1)..] + ".wasm", cancellationToken);
    }

    /// <summary>
    /// Publishes <paramref name="wasm"/> as an OCI image manifest (schema 2) with the config blob <c>{}</c> and one
    /// <c>application/wasm</c> layer titled <paramref name="title"/> (annotation <c>org.opencontainers.image.title</c>;
    /// none when null). Blobs the repository already has are not uploaded again; the others go up monolithically
    /// (POST, then PUT to the returned location). The manifest is stored under the target's tag, or under its digest
    /// when it has no tag (a given digest must match the manifest's). The result's reference carries the digest.
    /// </summary>
    /// <exception cref="OciRegistryException">The registry refused or could not be reached.</exception>
    public async Task<OciPushResult> PushWasmAsync(OciReference target, ReadOnlyMemory<byte> wasm, string? title, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (wasm.IsEmpty)
        {
            throw new OciRegistryException($"refusing to push an empty Wasm module to {target}");
        }

        var config = new OciDescriptor(OciMediaTypes.WasmConfig, Sha256(WasmConfigBlob), WasmConfigBlob.Length);
        var layer = new OciDescriptor(OciMediaTypes.Wasm, Sha256(wasm.Span), wasm.Length);
        await EnsureBlobAsync(target, config, WasmConfigBlob, cancellationToken).ConfigureAwait(false);
        await EnsureBlobAsync(target, layer, wasm, cancellationToken).ConfigureAwait(false);

        var manifest = new OciManifestDocument
        {
            SchemaVersion = 2,
            MediaType = OciMediaTypes.ImageManifest,
            Config = ToDocument(config, null),
            Layers = [ToDocument(layer, string.IsNullOrEmpty(title) ? null : new Dictionary<string, string> { [TitleAnnotation] = title })],
        };
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.OciManifestDocument);
        var digest = Sha256(manifestBytes);
        if (target.Digest is not null && target.Digest != digest)
        {
            throw new OciRegistryException($"cannot push {target}: the manifest's digest is {digest}, not {target.Digest}");
        }

        var uri = new Uri(BaseUri(target), $"v2/{target.Repository}/manifests/{target.Tag ?? digest}");
        using (var response = await SendAsync(target, push: true, () => new HttpRequestMessage(HttpMethod.Put, uri) { Content = Bytes(manifestBytes, OciMediaTypes.ImageManifest) }, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false))
        {
            await EnsureSuccessAsync(response, target, "manifest", cancellationToken).ConfigureAwait(false);
            if (HeaderDigest(response) is { } stored && stored != digest)
            {
                Log.DigestHeaderMismatch(_logger, target.Registry, target, stored, digest);
            }
        }

        var pushed = target.WithDigest(digest);
        Log.ManifestPushed(_logger, pushed, digest, layer.Digest, layer.Size);
        return new OciPushResult(pushed, digest, layer);
    }

    public void Dispose() => _http.Dispose();

    /// <summary><c>repository:tag</c> or <c>repository@digest</c>, as error messages name what was asked for.</summary>
    internal static string Describe(OciReference reference) =>
        reference.Repository + (reference.Digest is null ? ":" + (reference.Tag ?? "latest") : "@" + reference.Digest);

    /// <summary>The innermost useful message of a network failure (TLS and socket errors hide in inner exceptions).</summary>
    internal static string NetworkErrorText(Exception exception)
    {
        var inner = exception.GetBaseException();
        return inner == exception || exception.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? exception.Message
            : $"{exception.Message} ({inner.Message})";
    }

    internal static void LogChallenge(ILogger logger, string host, AuthChallenge challenge) =>
        Log.AuthChallenge(logger, host, challenge.Scheme, challenge.Realm, challenge.Service);

    internal static void LogToken(ILogger logger, string realm, string scope, string host, TimeSpan lifetime, string mode) =>
        Log.TokenIssued(logger, realm, scope, host, lifetime, mode);

    /// <summary>Reads at most <paramref name="maxBytes"/> of <paramref name="content"/>; more is an error.</summary>
    internal static async Task<byte[]> ReadBoundedAsync(HttpContent content, int maxBytes, string what, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > maxBytes)
        {
            throw new OciRegistryException($"{what} is larger than {maxBytes} bytes");
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new OciRegistryException($"{what} is larger than {maxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static HttpMessageHandler CreateHandler(OciClientOptions options) => new SocketsHttpHandler
    {
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 10,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = options.RequestTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    private Uri BaseUri(OciReference reference) => OciEndpoint.BaseUri(reference, _options.InsecureRegistries);

    /// <summary>
    /// Sends a request built by <paramref name="create"/> (called again for a retry), answering one 401 challenge.
    /// A 401 that remains is returned for <see cref="EnsureSuccessAsync"/> to report.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(OciReference reference, bool push, Func<HttpRequestMessage> create, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var scope = RegistryAuthenticator.ScopeFor(reference, push);
        var authorization = await _auth.BeforeRequestAsync(reference, scope, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var response = await SendRetryingAsync(reference, create, authorization, completion, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0)
            {
                return response;
            }

            var challenge = response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values)
                ? AuthChallenge.Select(values)
                : null;
            if (challenge is null)
            {
                return response;
            }

            var answer = await _auth.AfterChallengeAsync(reference, scope, challenge, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                return response;
            }

            response.Dispose();
            authorization = answer;
        }
    }

    /// <summary>
    /// Sends once; a GET or HEAD answered 502/503/504 (a proxy or load balancer in front of a busy registry) is sent
    /// again after <see cref="RetryDelays"/>. Other methods are not retried (an upload may have been half applied), nor
    /// are connection errors: a registry that is down fails the fetch at once, so queued fetches drain quickly.
    /// </summary>
    private async Task<HttpResponseMessage> SendRetryingAsync(OciReference reference, Func<HttpRequestMessage> create, AuthenticationHeaderValue? authorization, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        for (var retry = 0; ; retry++)
        {
            var request = create();
            // Credentials go only to the registry itself, never to an upload location on another host.
            if (authorization is not null && string.Equals(request.RequestUri!.Authority, reference.ApiHost, StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Authorization = authorization;
            }

            var method = request.Method;
            var uri = request.RequestUri;
            var retryable = (method == HttpMethod.Get || method == HttpMethod.Head) && retry < RetryDelays.Length;
            var response = await SendOnceAsync(reference, request, completion, cancellationToken).ConfigureAwait(false);
            if (!retryable || response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
            {
                return response;
            }

            var status = RegistryErrorText.Status(response);
            Log.RequestRetried(_logger, method, uri, status, RetryDelays[retry]);
            response.Dispose();
            await Task.Delay(RetryDelays[retry], cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(OciReference reference, HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                return await _http.SendAsync(request, completion, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                Log.RequestFailed(_logger, request.Method, request.RequestUri, "timed out");
                throw new OciRegistryException($"registry {reference.Registry} did not answer {request.Method} {request.RequestUri!.AbsolutePath} for {reference} within {Seconds(_options.RequestTimeout)}", ex);
            }
            catch (HttpRequestException ex)
            {
                Log.RequestFailed(_logger, request.Method, request.RequestUri, ex.Message);
                throw new OciRegistryException($"cannot reach registry {reference.Registry} at {request.RequestUri!.GetLeftPart(UriPartial.Authority)} for {reference}: {NetworkErrorText(ex)}", ex);
            }
        }
    }

    /// <summary>Turns a failed response into an <see cref="OciRegistryException"/> that says what was refused and why.</summary>
    private async Task EnsureSuccessAsync(HttpResponseMessage response, OciReference reference, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = RegistryErrorText.Status(response);
        var detail = await RegistryErrorText.DetailAsync(response, cancellationToken).ConfigureAwait(false);
        if (RegistryErrorText.IsDenied(response.StatusCode))
        {
            var hint = response.StatusCode == HttpStatusCode.Unauthorized && _auth.CredentialFor(reference.Registry) is null
                ? $"; no credentials are configured for {reference.Registry}"
                : "";
            throw new OciRegistryException($"registry {reference.Registry} denied access to {Describe(reference)}: {status}{detail}{hint}");
        }

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new OciRegistryException(what == "manifest"
                ? $"manifest unknown: registry {reference.Registry} has no {Describe(reference)} ({reference}): {status}{detail}"
                : $"{what} of {reference} not found in registry {reference.Registry}: {status}{detail}");
        }

        throw new OciRegistryException($"registry {reference.Registry} failed the request for {what} of {reference}: {status}{detail}");
    }

    private async Task<FetchedManifest> FetchManifestAsync(OciReference reference, string manifestReference, string? expectedDigest, CancellationToken cancellationToken)
    {
        var uri = new Uri(BaseUri(reference), $"v2/{reference.Repository}/manifests/{manifestReference}");
        HttpRequestMessage Create()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, uri);
            foreach (var mediaType in OciMediaTypes.ManifestAccept)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
            }

            return request;
        }

        using var response = await SendAsync(reference, push: false, Create, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, reference, "manifest", cancellationToken).ConfigureAwait(false);
        byte[] bytes;
        try
        {
            bytes = await ReadBoundedAsync(response.Content, MaxManifestBytes, $"manifest of {reference}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new OciRegistryException($"reading the manifest of {reference} from registry {reference.Registry} failed: {NetworkErrorText(ex)}", ex);
        }

        var digest = Sha256(bytes);
        if (expectedDigest is not null && digest != expectedDigest)
        {
            throw new OciRegistryException($"digest mismatch for {reference}: expected {expectedDigest}, got {digest} (manifest)");
        }

        if (HeaderDigest(response) is { } labelled && labelled != digest)
        {
            Log.DigestHeaderMismatch(_logger, reference.Registry, reference, labelled, digest);
        }

        OciManifestDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(bytes, OciJsonContext.Default.OciManifestDocument);
        }
        catch (JsonException ex)
        {
            throw new OciRegistryException($"registry {reference.Registry} returned an invalid manifest for {reference}: {ex.Message}", ex);
        }

        if (document is null)
        {
            throw new OciRegistryException($"registry {reference.Registry} returned an empty manifest for {reference}");
        }

        if (document.SchemaVersion != 2)
        {
            throw new OciRegistryException($"manifest of {reference} has schemaVersion {document.SchemaVersion}; only schema 2 (OCI and Docker v2) is supported");
        }

        var mediaType = document.MediaType ?? response.Content.Headers.ContentType?.MediaType;
        var isIndex = OciMediaTypes.IsIndex(mediaType) || (document.Manifests is not null && document.Layers is null);
        return new FetchedManifest(document, digest, isIndex);
    }

    private OciDescriptorDocument SelectIndexEntry(OciReference reference, OciManifestDocument index)
    {
        var entries = index.Manifests ?? [];
        if (entries.Count == 0)
        {
            throw new OciRegistryException($"image index of {reference} lists no manifests");
        }

        var entry = entries.FirstOrDefault(IsWasmPlatform) ?? entries[0];
        if (entry.Digest is null || !OciReference.IsSha256Digest(entry.Digest))
        {
            throw new OciRegistryException($"image index of {reference} has an entry with an unsupported digest '{entry.Digest}'");
        }

        Log.IndexEntrySelected(_logger, reference, entries.Count, entry.Digest, entry.Platform?.Os, entry.Platform?.Architecture);
        return entry;
    }

    private static bool IsWasmPlatform(OciDescriptorDocument entry) =>
        entry.Platform is { } platform
        && (platform.Os is "wasip1" or "wasip2" or "wasi" || platform.Architecture is "wasm" or "wasm32");

    private OciDescriptor SelectLayer(OciReference reference, OciManifestDocument manifest)
    {
        var layers = (manifest.Layers ?? []).Where(l => l.Size > 0 && !string.IsNullOrEmpty(l.Digest)).ToList();
        OciDescriptorDocument? chosen = null;
        foreach (var mediaType in OciMediaTypes.WasmLayers)
        {
            chosen = layers.FirstOrDefault(l => l.MediaType == mediaType);
            if (chosen is not null)
            {
                break;
            }
        }

        if (chosen is null)
        {
            // First of the largest on ties, as the original proxy does.
            foreach (var layer in layers)
            {
                if (chosen is null || layer.Size > chosen.Size)
                {
                    chosen = layer;
                }
            }

            if (chosen is null)
            {
                throw new OciRegistryException($"no valid layers found in manifest {reference}");
            }

            Log.LayerFallback(_logger, reference, chosen.Digest!, chosen.MediaType ?? "no media type");
        }

        return new OciDescriptor(chosen.MediaType ?? "", chosen.Digest!, chosen.Size);
    }

    private async Task EnsureBlobAsync(OciReference target, OciDescriptor blob, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var baseUri = BaseUri(target);
        var blobUri = new Uri(baseUri, $"v2/{target.Repository}/blobs/{blob.Digest}");
        using (var head = await SendAsync(target, push: true, () => new HttpRequestMessage(HttpMethod.Head, blobUri), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
        {
            if (head.IsSuccessStatusCode)
            {
                Log.BlobExists(_logger, blob.Digest, target.Registry, target.Repository);
                return;
            }

            if (head.StatusCode != HttpStatusCode.NotFound)
            {
                await EnsureSuccessAsync(head, target, $"blob {blob.Digest}", cancellationToken).ConfigureAwait(false);
            }
        }

        var startUri = new Uri(baseUri, $"v2/{target.Repository}/blobs/uploads/");
        Uri location;
        using (var start = await SendAsync(target, push: true, () => new HttpRequestMessage(HttpMethod.Post, startUri) { Content = Bytes(ReadOnlyMemory<byte>.Empty, null) }, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false))
        {
            await EnsureSuccessAsync(start, target, "blob upload", cancellationToken).ConfigureAwait(false);
            if (start.Headers.Location is not { } returned)
            {
                throw new OciRegistryException($"registry {target.Registry} started an upload for {target} without a Location header");
            }

            // Location may be relative to the request or absolute, and may already carry a query (the upload state).
            location = returned.IsAbsoluteUri ? returned : new Uri(startUri, returned);
        }

        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        var putUri = new Uri(location.GetLeftPart(UriPartial.Query) + separator + "digest=" + Uri.EscapeDataString(blob.Digest));
        using (var put = await SendAsync(target, push: true, () => new HttpRequestMessage(HttpMethod.Put, putUri) { Content = Bytes(data, "application/octet-stream") }, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false))
        {
            await EnsureSuccessAsync(put, target, $"blob {blob.Digest}", cancellationToken).ConfigureAwait(false);
        }

        Log.BlobUploaded(_logger, blob.Digest, blob.Size, target.Registry, target.Repository);
    }

    private static ReadOnlyMemoryContent Bytes(ReadOnlyMemory<byte> data, string? mediaType)
    {
        var content = new ReadOnlyMemoryContent(data);
        if (mediaType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        return content;
    }

    private static OciDescriptorDocument ToDocument(OciDescriptor descriptor, IReadOnlyDictionary<string, string>? annotations) => new()
    {
        MediaType = descriptor.MediaType,
        Digest = descriptor.Digest,
        Size = descriptor.Size,
        Annotations = annotations,
    };

    private static string? HeaderDigest(HttpResponseMessage response) =>
        response.Headers.TryGetValues(ContentDigestHeader, out var values) ? values.FirstOrDefault() : null;

    private static string Sha256(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    private static OciRegistryException TooLarge(OciReference reference, long maxBytes) =>
        new($"artifact {reference} is larger than the {maxBytes}-byte limit (PROXY_MAX_ARTIFACT_BYTES)");

    private static string Seconds(TimeSpan timeout) => $"{timeout.TotalSeconds:0.#} s";

    private sealed record FetchedManifest(OciManifestDocument Document, string Digest, bool IsIndex);
}
