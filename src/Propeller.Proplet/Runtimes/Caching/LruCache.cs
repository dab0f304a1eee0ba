namespace Propeller.Proplet.Runtimes.Caching;

/// <summary>A small thread-safe least-recently-used map; evicted values are simply dropped.</summary>
internal sealed class LruCache<TValue>
    where TValue : class
{
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<(string Key, TValue Value)>> _nodes = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, TValue Value)> _order = new();
    private readonly Lock _lock = new();

    public LruCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _nodes.Count;
            }
        }
    }

    public bool TryGet(string key, out TValue? value)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public void Set(string key, TValue value)
    {
        if (_capacity == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_nodes.Remove(key, out var existing))
            {
                _order.Remove(existing);
            }

            _nodes[key] = _order.AddFirst((key, value));
            while (_nodes.Count > _capacity)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _nodes.Remove(last.Value.Key);
            }
        }
    }
}
