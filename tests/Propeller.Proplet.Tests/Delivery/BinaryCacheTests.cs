using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proplet.Delivery;
using Propeller.Proplet.Tests.Support;

namespace Propeller.Proplet.Tests.Delivery;

public sealed class BinaryCacheTests : IDisposable
{
    private readonly string _directory = Path.Combine(Directory.CreateTempSubdirectory("propeller-binaries-").FullName, "binaries");

    [Fact]
    public void Store_ThenRead_ReturnsTheBytesFromAContentAddressedFile()
    {
        var cache = Create(1024);
        var digest = WasmDigest.HexOf(ExampleWasm.Add);

        cache.Store(digest, ExampleWasm.Add);

        Assert.Equal(ExampleWasm.Add, cache.TryRead(digest));
        Assert.Equal([digest + ".wasm"], Directory.GetFiles(_directory).Select(Path.GetFileName));
        Assert.Equal(ExampleWasm.Add.Length, cache.Bytes);
    }

    [Fact]
    public void TryRead_CorruptFile_IsAMissAndTheEntryIsDropped()
    {
        var cache = Create(1024);
        var digest = WasmDigest.HexOf(ExampleWasm.Add);
        cache.Store(digest, ExampleWasm.Add);
        File.WriteAllBytes(Path.Combine(_directory, digest + ".wasm"), [1, 2, 3]);

        Assert.Null(cache.TryRead(digest));
        Assert.False(cache.Contains(digest));
        Assert.Equal(0, cache.Bytes);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void TryRead_FileDeletedBehindTheCache_IsAMiss()
    {
        var cache = Create(1024);
        var digest = WasmDigest.HexOf(ExampleWasm.Add);
        cache.Store(digest, ExampleWasm.Add);
        File.Delete(Path.Combine(_directory, digest + ".wasm"));

        Assert.Null(cache.TryRead(digest));
        Assert.False(cache.Contains(digest));
    }

    [Fact]
    public void Store_OverTheBound_EvictsTheLeastRecentlyUsed()
    {
        var cache = Create(250);
        var (a, b, c) = (Blob(1), Blob(2), Blob(3));
        cache.Store(a.Digest, a.Bytes);
        cache.Store(b.Digest, b.Bytes);
        Assert.NotNull(cache.TryRead(a.Digest));

        cache.Store(c.Digest, c.Bytes);

        Assert.True(cache.Contains(a.Digest));
        Assert.False(cache.Contains(b.Digest));
        Assert.True(cache.Contains(c.Digest));
        Assert.Equal(200, cache.Bytes);
        Assert.Equal(2, Directory.GetFiles(_directory).Length);
    }

    [Fact]
    public void Store_LargerThanTheWholeCache_IsNotKept()
    {
        var cache = Create(50);
        var blob = Blob(1);

        cache.Store(blob.Digest, blob.Bytes);

        Assert.False(cache.Contains(blob.Digest));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void ZeroBytes_DisablesTheCache()
    {
        var cache = Create(0);
        var blob = Blob(1);

        cache.Store(blob.Digest, blob.Bytes);

        Assert.False(cache.Enabled);
        Assert.Null(cache.TryRead(blob.Digest));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void NewInstance_FindsTheFilesOfThePreviousOneAndDropsStrayTemporaries()
    {
        var blob = Blob(7);
        Create(1024).Store(blob.Digest, blob.Bytes);
        File.WriteAllBytes(Path.Combine(_directory, "x.wasm.123.tmp"), [1]);
        File.WriteAllBytes(Path.Combine(_directory, "not-a-digest.wasm"), [1]);

        var reopened = Create(1024);

        Assert.Equal(blob.Bytes, reopened.TryRead(blob.Digest));
        Assert.Equal(1, reopened.Count);
        Assert.False(File.Exists(Path.Combine(_directory, "x.wasm.123.tmp")));
    }

    [Fact]
    public void NewInstance_WithASmallerBound_EvictsTheOldestFiles()
    {
        var (a, b) = (Blob(1), Blob(2));
        var first = Create(1024);
        first.Store(a.Digest, a.Bytes);
        File.SetLastWriteTimeUtc(Path.Combine(_directory, a.Digest + ".wasm"), DateTime.UtcNow.AddHours(-1));
        first.Store(b.Digest, b.Bytes);

        var reopened = Create(150);

        Assert.False(reopened.Contains(a.Digest));
        Assert.True(reopened.Contains(b.Digest));
        Assert.False(File.Exists(Path.Combine(_directory, a.Digest + ".wasm")));
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);

    private BinaryCache Create(long bytes) =>
        new(new DeliveryOptions { BinaryCacheBytes = bytes, BinaryCacheDirectory = _directory }, NullLogger<BinaryCache>.Instance);

    private static (string Digest, byte[] Bytes) Blob(byte fill)
    {
        var bytes = Enumerable.Repeat(fill, 100).ToArray();
        return (WasmDigest.HexOf(bytes), bytes);
    }
}
