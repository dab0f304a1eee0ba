namespace Propeller.Manager.Storage.Memory;

internal static class MemoryPaging
{
    /// <summary>One page of an already ordered list; the total counts the whole list.</summary>
    public static Page<T> Page<T>(IReadOnlyList<T> ordered, ulong offset, ulong limit)
    {
        var skip = (int)Math.Min(offset, (ulong)ordered.Count);
        var take = (int)Math.Min(limit, (ulong)(ordered.Count - skip));
        return new Page<T>(ordered.Skip(skip).Take(take).ToList(), (ulong)ordered.Count);
    }
}
