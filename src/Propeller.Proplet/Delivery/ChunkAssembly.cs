namespace Propeller.Proplet.Delivery;

/// <summary>
/// The chunks received so far of one artifact (proplet-reference §2.4), keyed by index. Chunks are held in a map
/// rather than an array sized by <c>total_chunks</c>, so a lying count costs nothing until data actually arrives.
/// Not thread-safe: <see cref="RegistryBinarySource"/> guards it.
/// </summary>
internal sealed class ChunkAssembly(string appName, int totalChunks, string? digest, long createdAt)
{
    private readonly Dictionary<int, byte[]> _chunks = [];

    public string AppName { get; } = appName;

    public int TotalChunks { get; } = totalChunks;

    /// <summary>The whole artifact's <c>sha256:&lt;hex&gt;</c> as the first chunk announced it, if it did.</summary>
    public string? Digest { get; } = digest;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the first chunk arrived.</summary>
    public long CreatedAt { get; } = createdAt;

    public int Received => _chunks.Count;

    public long Bytes { get; private set; }

    public bool IsComplete => _chunks.Count == TotalChunks;

    /// <summary>Adds chunk <paramref name="index"/> (already range-checked); the first copy of an index wins.</summary>
    public ChunkAddition Add(int index, byte[] data, long maxBytes)
    {
        if (_chunks.ContainsKey(index))
        {
            return ChunkAddition.Duplicate;
        }

        if (Bytes + data.Length > maxBytes)
        {
            return ChunkAddition.TooLarge;
        }

        _chunks[index] = data;
        Bytes += data.Length;
        return IsComplete ? ChunkAddition.Completed : ChunkAddition.Added;
    }

    /// <summary>The chunks concatenated in index order; only valid once <see cref="IsComplete"/>.</summary>
    public byte[] Concatenate()
    {
        var whole = new byte[Bytes];
        var offset = 0;
        for (var index = 0; index < TotalChunks; index++)
        {
            var chunk = _chunks[index];
            chunk.CopyTo(whole, offset);
            offset += chunk.Length;
        }

        return whole;
    }
}

/// <summary>What <see cref="ChunkAssembly.Add"/> did with a chunk.</summary>
internal enum ChunkAddition
{
    Added,
    Completed,
    Duplicate,
    TooLarge,
}
