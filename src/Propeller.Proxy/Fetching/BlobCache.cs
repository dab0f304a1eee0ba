using Propeller.Proxy.Configuration;
using Propeller.Proxy.Diagnostics;

namespace Propeller.Proxy.Fetching;

/// <summary>
/// Artifact bytes by content digest, least recently used evicted first, bounded by <c>PROXY_CACHE_BYTES</c>. A digest
/// names its bytes for good, so entries never go stale; only the tag → digest step needs the registry each time.
/// </summary>
internal sealed class BlobCache
{
    private readonly long _capacity;
    private readonly ProxyMetrics _metrics;
    private readonly Dictionary<string, LinkedListNode<(string Digest, byte[] Bytes)>> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly LinkedList<(string Digest, byte[] Bytes)> _recency = new();
    private readonly Lock _lock = new();
    private long _size;

    public BlobCache(ProxyOptions options, ProxyMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _capacity = options.CacheBytes;
        _metrics = metrics;
    }

    /// <summary>Bytes held now.</summary>
    public long Size
    {
        get
        {
            lock (_lock)
            {
                return _size;
            }
        }
    }

    public bool TryGet(string digest, out byte[] bytes)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(digest, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                bytes = node.Value.Bytes;
                return true;
            }
        }

        bytes = [];
        return false;
    }

    /// <summary>Keeps <paramref name="bytes"/> unless they alone exceed the bound; evicts the oldest entries to make room.</summary>
    public void Add(string digest, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.LongLength > _capacity)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.ContainsKey(digest))
            {
                return;
            }

            while (_size + bytes.LongLength > _capacity && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Digest);
                _size -= oldest.Value.Bytes.LongLength;
            }

            _entries[digest] = _recency.AddFirst((digest, bytes));
            _size += bytes.LongLength;
            _metrics.CacheSizeChanged(_size);
        }
    }
}
