using Microsoft.Extensions.Logging;

namespace Propeller.Proplet.Delivery;

/// <summary>
/// Fetched Wasm binaries on disk, content-addressed: <c>&lt;dir&gt;/&lt;sha256 hex&gt;.wasm</c>, bounded by
/// <see cref="DeliveryOptions.BinaryCacheBytes"/> with least-recently-used eviction. The file name is the checksum:
/// a read re-hashes the bytes, and a file that is missing, unreadable or does not match is dropped and reported as
/// a miss, never served. Files are written under a temporary name and renamed, so a crash leaves no torn entry.
/// </summary>
internal sealed partial class BinaryCache
{
    private const string Extension = ".wasm";

    private readonly string? _directory;
    private readonly long _capacity;
    private readonly ILogger _logger;
    private readonly Dictionary<string, LinkedListNode<(string Digest, long Size)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Digest, long Size)> _order = new();
    private readonly Lock _lock = new();
    private long _bytes;

    public BinaryCache(DeliveryOptions options, ILogger<BinaryCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _capacity = options.BinaryCacheBytes;
        _directory = _capacity > 0 ? options.BinaryCacheDirectory : null;
        if (_directory is not null)
        {
            Load(_directory);
        }
    }

    public bool Enabled => _directory is not null;

    /// <summary>Bytes of the entries currently held.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Whether an entry for <paramref name="digest"/> (hex) is indexed; a read may still find it damaged.</summary>
    public bool Contains(string digest)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(digest);
        }
    }

    /// <summary>The bytes whose sha256 is <paramref name="digest"/> (hex), or null when not held or damaged.</summary>
    public byte[]? TryRead(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (_directory is null)
        {
            return null;
        }

        lock (_lock)
        {
            if (!_entries.TryGetValue(digest, out var node))
            {
                return null;
            }

            _order.Remove(node);
            _order.AddFirst(node);
        }

        var path = PathOf(digest);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Drop(digest, e.Message);
            return null;
        }

        if (!string.Equals(WasmDigest.HexOf(bytes), digest, StringComparison.Ordinal))
        {
            Drop(digest, "its content does not match its sha256");
            return null;
        }

        try
        {
            // The file time carries the recency across restarts.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Recency is a hint; the entry is fine.
        }

        return bytes;
    }

    /// <summary>
    /// Keeps <paramref name="bytes"/> under <paramref name="digest"/> (their hex sha256) and evicts the least recently
    /// used entries beyond the bound. A binary larger than the whole cache is not kept; a failed write is a warning.
    /// </summary>
    public void Store(string digest, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (_directory is null || bytes.Length > _capacity)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(digest, out var existing))
            {
                _order.Remove(existing);
                _order.AddFirst(existing);
                return;
            }
        }

        var path = PathOf(digest);
        try
        {
            Directory.CreateDirectory(_directory);
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                {
                    stream.Write(bytes);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, path, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.WriteFailed(_logger, path, e.Message);
            return;
        }

        List<string> evicted;
        lock (_lock)
        {
            if (!_entries.ContainsKey(digest))
            {
                _entries[digest] = _order.AddFirst((digest, bytes.Length));
                _bytes += bytes.Length;
            }

            evicted = EvictOverCapacity();
        }

        DeleteEvicted(evicted);
    }

    private void Load(string directory)
    {
        FileInfo[] files;
        try
        {
            var info = new DirectoryInfo(directory);
            if (!info.Exists)
            {
                return;
            }

            foreach (var leftover in info.EnumerateFiles("*.tmp"))
            {
                leftover.Delete();
            }

            files = info.GetFiles("*" + Extension);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Unusable(_logger, directory, e.Message);
            return;
        }

        List<string> evicted;
        lock (_lock)
        {
            // Oldest first, so the most recently used end up at the front.
            foreach (var file in files.OrderBy(f => f.LastWriteTimeUtc))
            {
                var digest = Path.GetFileNameWithoutExtension(file.Name);
                if (WasmDigest.IsHex(digest) && !digest.Any(char.IsAsciiLetterUpper))
                {
                    _entries[digest] = _order.AddFirst((digest, file.Length));
                    _bytes += file.Length;
                }
            }

            evicted = EvictOverCapacity();
        }

        DeleteEvicted(evicted);
    }

    // Caller holds the lock.
    private List<string> EvictOverCapacity()
    {
        var evicted = new List<string>();
        while (_bytes > _capacity && _order.Last is { } last)
        {
            _order.RemoveLast();
            _entries.Remove(last.Value.Digest);
            _bytes -= last.Value.Size;
            evicted.Add(last.Value.Digest);
        }

        return evicted;
    }

    private void DeleteEvicted(List<string> evicted)
    {
        foreach (var digest in evicted)
        {
            Log.Evicted(_logger, digest);
            TryDelete(PathOf(digest));
        }
    }

    private void Drop(string digest, string reason)
    {
        lock (_lock)
        {
            if (_entries.Remove(digest, out var node))
            {
                _order.Remove(node);
                _bytes -= node.Value.Size;
            }
        }

        Log.Unusable(_logger, PathOf(digest), reason);
        TryDelete(PathOf(digest));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unindexed already; a later store overwrites it.
        }
    }

    private string PathOf(string digest) => Path.Combine(_directory!, digest + Extension);

    private static partial class Log
    {
        [LoggerMessage(Diagnostics.EventIds.BinaryCacheEntryUnusable, LogLevel.Warning, "Binary cache entry {Path} is unusable ({Reason}); treating it as a miss")]
        public static partial void Unusable(ILogger logger, string path, string reason);

        [LoggerMessage(Diagnostics.EventIds.BinaryCacheWriteFailed, LogLevel.Warning, "Could not write binary cache file {Path}: {Reason}")]
        public static partial void WriteFailed(ILogger logger, string path, string reason);

        [LoggerMessage(Diagnostics.EventIds.BinaryCacheEvicted, LogLevel.Debug, "Evicted binary sha256:{Digest} from the binary cache")]
        public static partial void Evicted(ILogger logger, string digest);
    }
}
