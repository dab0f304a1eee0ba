using Propeller.Contracts.Configuration;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Diagnostics;
using Propeller.Proxy.Fetching;
using Propeller.Proxy.Publishing;

namespace Propeller.Proxy.Tests.Fetching;

public sealed class BlobCacheTests
{
    private static BlobCache Cache(long capacity, ProxyMetrics? metrics = null) =>
        new(new ProxyOptions { Credentials = new EntityCredentials("t", "c", "e", "k"), CacheBytes = capacity }, metrics ?? new ProxyMetrics());

    [Fact]
    public void TryGet_AfterAdd_ReturnsTheBytes()
    {
        var cache = Cache(100);
        cache.Add("sha256:aa", [1, 2, 3]);

        Assert.True(cache.TryGet("SHA256:AA", out var bytes));
        Assert.Equal([1, 2, 3], bytes);
        Assert.Equal(3, cache.Size);
    }

    [Fact]
    public void Add_OverCapacity_EvictsTheLeastRecentlyUsed()
    {
        var metrics = new ProxyMetrics();
        var cache = Cache(10, metrics);
        cache.Add("sha256:a", new byte[4]);
        cache.Add("sha256:b", new byte[4]);
        Assert.True(cache.TryGet("sha256:a", out _));

        cache.Add("sha256:c", new byte[4]);

        Assert.True(cache.TryGet("sha256:a", out _));
        Assert.False(cache.TryGet("sha256:b", out _));
        Assert.True(cache.TryGet("sha256:c", out _));
        Assert.Equal(8, cache.Size);
        Assert.Equal(8, metrics.CacheBytes);
    }

    [Fact]
    public void Add_LargerThanTheCache_IsNotKept()
    {
        var cache = Cache(10);
        cache.Add("sha256:small", new byte[5]);

        cache.Add("sha256:big", new byte[11]);

        Assert.False(cache.TryGet("sha256:big", out _));
        Assert.True(cache.TryGet("sha256:small", out _));
    }

    [Fact]
    public void Add_WithZeroCapacity_KeepsNothing()
    {
        var cache = Cache(0);

        cache.Add("sha256:a", [1]);

        Assert.False(cache.TryGet("sha256:a", out _));
        Assert.Equal(0, cache.Size);
    }

    [Theory]
    [InlineData(1_200_000, 512_000, 3)]
    [InlineData(5 * 1024 * 1024, 512_000, 11)]
    [InlineData(512_000, 512_000, 1)]
    [InlineData(512_001, 512_000, 2)]
    [InlineData(1, 1024, 1)]
    public void ChunkCount_IsTheCeilingOfLengthOverChunkSize(long length, int chunkSize, int expected) =>
        Assert.Equal(expected, ChunkPublisher.ChunkCount(length, chunkSize));
}
