using Propeller.Proplet.Runtimes.Caching;

namespace Propeller.Proplet.Tests.Runtimes.Caching;

public sealed class LruCacheTests
{
    [Fact]
    public void Set_OverCapacity_DropsTheLeastRecentlyUsed()
    {
        var cache = new LruCache<string>(2);
        cache.Set("a", "A");
        cache.Set("b", "B");
        Assert.True(cache.TryGet("a", out _));

        cache.Set("c", "C");

        Assert.True(cache.TryGet("a", out var a));
        Assert.Equal("A", a);
        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("c", out _));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Set_ZeroCapacity_KeepsNothing()
    {
        var cache = new LruCache<string>(0);

        cache.Set("a", "A");

        Assert.False(cache.TryGet("a", out _));
    }
}
