using Propeller.Proplet.Runtimes.Caching;

namespace Propeller.Proplet.Delivery;

/// <summary>
/// Image URL → <see cref="SourceRecord"/>, in memory and bounded (least recently used URLs are forgotten). The bytes
/// live in the <see cref="BinaryCache"/>; a record is only useful while the cache still holds its digest.
/// </summary>
internal sealed class BinarySourceIndex(DeliveryOptions options)
{
    private readonly LruCache<SourceRecord> _records = new(options.IndexEntries);

    public SourceRecord? Get(string imageUrl) => _records.TryGet(imageUrl, out var record) ? record : null;

    public void Set(string imageUrl, SourceRecord record) => _records.Set(imageUrl, record);
}
