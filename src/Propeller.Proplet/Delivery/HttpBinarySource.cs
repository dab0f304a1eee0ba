using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Delivery;

/// <summary>
/// Downloads a task's Wasm from an <c>http(s)://</c> image URL with the original's rules (proplet-reference §2.2):
/// 4xx/5xx, a wrong content type, a declared or streamed size over the cap and the whole-request timeout each fail
/// the task with the original's text. A URL fetched before is asked for with <c>If-None-Match</c> /
/// <c>If-Modified-Since</c>, and a 304 is served from the <see cref="BinaryCache"/>.
/// </summary>
internal sealed partial class HttpBinarySource : IDisposable
{
    private const int ReadBufferBytes = 81_920;

    private readonly DeliveryOptions _options;
    private readonly BinaryCache _cache;
    private readonly BinarySourceIndex _index;
    private readonly PropletMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _client;

    public HttpBinarySource(
        DeliveryOptions options,
        BinaryCache cache,
        BinarySourceIndex index,
        PropletMetrics metrics,
        TimeProvider time,
        ILogger<HttpBinarySource> logger)
    {
        _options = options;
        _cache = cache;
        _index = index;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        if (options.HttpTlsInsecureSkipVerify)
        {
            Log.CertificateCheckDisabled(logger);
        }

        // The whole-request deadline is our own token: HttpClient.Timeout would not cover the streamed body.
        _client = new HttpClient(DeliveryHttpHandler.Create(options), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The body of <paramref name="url"/>.</summary>
    /// <exception cref="TaskFailedException">The download failed; the message is the task's error.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (the task was stopped).</exception>
    public async Task<byte[]> FetchAsync(string url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var deadline = new CancellationTokenSource(_options.HttpTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await FetchCoreAsync(url, conditional: true, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TaskFailedException(
                $"timed out after {_options.HttpTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s fetching wasm from {url}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or UriFormatException)
        {
            throw new TaskFailedException($"error fetching wasm from {url}: {e.Message}", e);
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<byte[]> FetchCoreAsync(string url, bool conditional, CancellationToken cancellationToken)
    {
        var known = conditional && _index.Get(url) is { } record && _cache.Contains(record.Digest) ? record : null;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (known?.ETag is { } etag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        if (known?.LastModified is { } lastModified)
        {
            request.Headers.IfModifiedSince = lastModified;
        }

        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            .ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.NotModified && known is not null)
        {
            if (_cache.TryRead(known.Digest) is { } cached)
            {
                Log.NotModified(_logger, url, known.Digest);
                _metrics.BinaryCacheHit();
                return cached;
            }

            // The cached copy went bad since the request was sent: ask again, unconditionally.
            return await FetchCoreAsync(url, conditional: false, cancellationToken).ConfigureAwait(false);
        }

        if (status >= 400 || response.StatusCode == HttpStatusCode.NotModified)
        {
            var reason = ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } canonical ? canonical : response.ReasonPhrase;
            throw new TaskFailedException(string.IsNullOrEmpty(reason)
                ? $"HTTP {status} fetching wasm from {url}"
                : $"HTTP {status} {reason} fetching wasm from {url}");
        }

        var contentType = response.Content.Headers.TryGetValues("Content-Type", out var types) ? string.Join(", ", types) : "";
        if (contentType.Length > 0
            && !contentType.Contains("application/wasm", StringComparison.OrdinalIgnoreCase)
            && !contentType.Contains("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            throw new TaskFailedException(
                $"unexpected content type '{contentType}' fetching wasm from {url} (expected application/wasm or application/octet-stream)");
        }

        var max = _options.MaxBinaryBytes;
        if (response.Content.Headers.ContentLength is { } declared && declared > max)
        {
            throw new TaskFailedException($"wasm response from {url} exceeds size limit ({declared} > {max} bytes)");
        }

        var body = await ReadCappedAsync(response, url, max, cancellationToken).ConfigureAwait(false);
        var digest = WasmDigest.HexOf(body);
        _cache.Store(digest, body);
        _index.Set(url, new SourceRecord(digest, response.Headers.ETag?.ToString(), response.Content.Headers.LastModified));
        _metrics.BinaryCacheMiss();
        Log.Downloaded(_logger, url, body.Length, digest);
        return body;
    }

    private static async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, string url, long max, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var body = new MemoryStream();
            var buffer = new byte[ReadBufferBytes];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > max)
                {
                    throw new TaskFailedException($"wasm response from {url} exceeds size limit ({max} bytes)");
                }

                body.Write(buffer, 0, read);
            }

            return body.ToArray();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.HttpCertificateCheckDisabled, LogLevel.Warning, "PROPLET_HTTP_TLS_INSECURE_SKIP_VERIFY is set: Wasm downloads accept any server certificate")]
        public static partial void CertificateCheckDisabled(ILogger logger);

        [LoggerMessage(EventIds.HttpBinaryDownloaded, LogLevel.Information, "Downloaded {Bytes} bytes of Wasm from {Url} (sha256:{Digest})")]
        public static partial void Downloaded(ILogger logger, string url, int bytes, string digest);

        [LoggerMessage(EventIds.HttpBinaryNotModified, LogLevel.Information, "Wasm at {Url} not modified; using the cached sha256:{Digest}")]
        public static partial void NotModified(ILogger logger, string url, string digest);
    }
}
