using System.Globalization;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Diagnostics;

namespace Propeller.Proxy.Publishing;

/// <summary>
/// Everything the proxy sends: an artifact as ordered base64 chunks on <c>registry/server</c>, and
/// <c>registry/status</c> replies (error, unchanged). Each chunk's publish is awaited, and a failed one is retried
/// with a short back-off, so a proplet never waits on a chunk that silently went missing.
/// </summary>
internal sealed partial class ChunkPublisher
{
    /// <summary>Pauses before the second and later attempts of one publish.</summary>
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)];

    private readonly PropellerMqttClient _client;
    private readonly TopicBuilder _topics;
    private readonly ProxyMetrics _metrics;
    private readonly int _chunkSize;
    private readonly ILogger _logger;

    public ChunkPublisher(PropellerMqttClient client, TopicBuilder topics, ProxyOptions options, ProxyMetrics metrics, ILogger<ChunkPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _topics = topics;
        _metrics = metrics;
        _chunkSize = options.ChunkSize;
        _logger = logger;
    }

    /// <summary>Chunks an artifact of <paramref name="length"/> bytes is cut into: <c>ceil(length / chunk size)</c>.</summary>
    public static int ChunkCount(long length, int chunkSize) => (int)((length + chunkSize - 1) / chunkSize);

    /// <summary>Publishes <paramref name="artifact"/> in order as <c>{app_name, chunk_idx, total_chunks, data, digest}</c>.</summary>
    /// <exception cref="ChunkPublishException">A chunk still failed after the retries.</exception>
    public async Task PublishChunksAsync(string appName, string digest, ReadOnlyMemory<byte> artifact, CancellationToken cancellationToken)
    {
        var total = ChunkCount(artifact.Length, _chunkSize);
        for (var index = 0; index < total; index++)
        {
            var slice = artifact.Slice(index * _chunkSize, Math.Min(_chunkSize, artifact.Length - (index * _chunkSize)));
            var chunk = new ChunkMessage
            {
                AppName = appName,
                ChunkIdx = index,
                TotalChunks = total,
                Data = Convert.ToBase64String(slice.Span),
                Digest = digest,
            };
            var payload = PropellerJson.ToUtf8(chunk, PropellerJson.Context.ChunkMessage);
            try
            {
                await PublishWithRetryAsync(_topics.RegistryServer, payload, cancellationToken).ConfigureAwait(false);
            }
            catch (MqttPublishException e)
            {
                Log.ChunkPublishFailed(_logger, index, total, appName, e.Message);
                throw new ChunkPublishException(
                    string.Create(CultureInfo.InvariantCulture, $"proxy could not publish chunk {index + 1} of {total} of {appName}: {e.Message}"), e);
            }

            _metrics.ChunkPublished(slice.Length);
        }
    }

    /// <summary>Publishes a <c>registry/status</c> reply; a failure is logged, since nothing else can be told.</summary>
    public async Task PublishStatusAsync(RegistryStatusMessage status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        try
        {
            await PublishWithRetryAsync(
                _topics.RegistryStatus, PropellerJson.ToUtf8(status, PropellerJson.Context.RegistryStatusMessage), cancellationToken).ConfigureAwait(false);
        }
        catch (MqttPublishException e)
        {
            Log.StatusPublishFailed(_logger, status.AppName, e.Message);
        }
    }

    private async Task PublishWithRetryAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _client.PublishAsync(topic, payload, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (MqttPublishException e) when (attempt < RetryDelays.Length)
            {
                Log.PublishRetry(_logger, topic, attempt + 1, e.Message);
                await Task.Delay(RetryDelays[attempt], cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
