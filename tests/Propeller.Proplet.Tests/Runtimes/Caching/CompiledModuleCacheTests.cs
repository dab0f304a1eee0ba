using Microsoft.Extensions.Logging;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Caching;
using Propeller.Testing;

namespace Propeller.Proplet.Tests.Runtimes.Caching;

/// <summary>Compiled modules are reused from memory and from disk, and a bad cache file never fails a task.</summary>
public sealed class CompiledModuleCacheTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("propeller-cache-test-");
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public CompiledModuleCacheTests() => _loggerFactory = LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(LogLevel.Debug);
        builder.AddProvider(_logs);
    });

    private WasmRuntimeOptions Options => new() { CacheDirectory = _directory.FullName };

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _logs.Dispose();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task RunAsync_SameModuleTwice_CompilesOnceAndHitsTheCache()
    {
        using var engine = NewEngine(Options);
        var runtime = NewRuntime(engine, Options);

        Assert.Equal("30", await Run(runtime, "10", "20"));
        Assert.Equal("7", await Run(runtime, "3", "4"));

        Assert.Equal(1, runtime.Cache.CompiledModules);
        Assert.Equal(1, runtime.Cache.CacheHits);
        Assert.Single(_logs.Entries, e => e.EventId.Id == EventIds.ModuleCompiled);
        Assert.Single(_logs.Entries, e => e.EventId.Id == EventIds.ModuleCacheHit);
    }

    [Fact]
    public async Task RunAsync_NewEngineSameDirectory_DeserializesInsteadOfCompiling()
    {
        using (var first = NewEngine(Options))
        {
            Assert.Equal("30", await Run(NewRuntime(first, Options), "10", "20"));
        }

        using var second = NewEngine(Options);
        var restarted = NewRuntime(second, Options);

        Assert.Equal("5", await Run(restarted, "2", "3"));
        Assert.Equal(0, restarted.Cache.CompiledModules);
        Assert.Equal(1, restarted.Cache.DiskLoads);
        Assert.Equal(1, restarted.Cache.CacheHits);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("flipped")]
    [InlineData("truncated")]
    public async Task RunAsync_DamagedCacheFile_RecompilesReplacesAndWarns(string damage)
    {
        using (var first = NewEngine(Options))
        {
            await Run(NewRuntime(first, Options), "1", "1");
        }

        var file = Assert.Single(Directory.GetFiles(_directory.FullName, "*.cwasm", SearchOption.AllDirectories));
        var original = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, damage switch
        {
            "garbage" => "not a compiled module at all"u8.ToArray(),
            "flipped" => Flip(original, original.Length - 100),
            _ => original[..(original.Length / 2)],
        });

        using var second = NewEngine(Options);
        var restarted = NewRuntime(second, Options);
        Assert.Equal("30", await Run(restarted, "10", "20"));

        Assert.Equal(1, restarted.Cache.CompiledModules);
        Assert.Single(_logs.Entries, e => e.EventId.Id == EventIds.ModuleCacheEntryUnusable && e.Level == LogLevel.Warning);
        Assert.Equal(original.Length, new FileInfo(file).Length);
        using var third = NewEngine(Options);
        var again = NewRuntime(third, Options);
        Assert.Equal("2", await Run(again, "1", "1"));
        Assert.Equal(0, again.Cache.CompiledModules);
    }

    [Fact]
    public async Task RunAsync_EngineWithOtherConfiguration_UsesItsOwnEntries()
    {
        var fuelOptions = Options with { Fuel = 1_000_000 };
        using (var plain = NewEngine(Options))
        {
            await Run(NewRuntime(plain, Options), "1", "1");
        }

        using var fueled = NewEngine(fuelOptions);
        var runtime = NewRuntime(fueled, fuelOptions);

        Assert.Equal("2", await Run(runtime, "1", "1"));
        Assert.Equal(1, runtime.Cache.CompiledModules);
        Assert.Equal(2, Directory.GetDirectories(_directory.FullName).Length);
    }

    [Fact]
    public async Task RunAsync_AfterWrite_LeavesNoTemporaryFiles()
    {
        using var engine = NewEngine(Options);

        await Run(NewRuntime(engine, Options), "1", "1");

        Assert.Empty(Directory.GetFiles(_directory.FullName, "*.tmp", SearchOption.AllDirectories));
        Assert.Single(Directory.GetFiles(_directory.FullName, "*.cwasm", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task RunAsync_UnwritableDirectory_WarnsAndStillRuns()
    {
        var blocked = Path.Combine(_directory.FullName, "file-not-directory");
        await File.WriteAllTextAsync(blocked, "x");
        var options = new WasmRuntimeOptions { CacheDirectory = blocked };
        using var engine = NewEngine(options);
        var runtime = NewRuntime(engine, options);

        Assert.Equal("30", await Run(runtime, "10", "20"));
        Assert.Equal("30", await Run(runtime, "10", "20"));

        Assert.Equal(1, runtime.Cache.CompiledModules);
        Assert.Single(_logs.Entries, e => e.EventId.Id == EventIds.ModuleCacheWriteFailed);
    }

    [Fact]
    public async Task RunAsync_InvalidWasm_FailsTheTaskAndCachesNothing()
    {
        using var engine = NewEngine(Options);
        var runtime = NewRuntime(engine, Options);

        var error = await Assert.ThrowsAsync<WasmExecutionException>(() => runtime.RunAsync(
            CoreRuntimeHarness.Request([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0xff], "add"), CancellationToken.None));

        Assert.StartsWith("Failed to compile Wasmtime module from binary", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory.FullName, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void GetOrCompile_WithoutSerializer_StaysInMemoryOnly()
    {
        using var engine = NewEngine(Options);
        var cache = new CompiledModuleCache(engine, Options, _loggerFactory.CreateLogger<CompiledModuleCache>());
        var compiles = 0;
        byte[] bytes = [1, 2, 3];

        var first = cache.GetOrCompile("component", "c", bytes, _ =>
        {
            compiles++;
            return new object();
        });
        var second = cache.GetOrCompile("component", "c", bytes, _ =>
        {
            compiles++;
            return new object();
        });

        Assert.Same(first, second);
        Assert.Equal(1, compiles);
        Assert.Empty(Directory.GetFiles(_directory.FullName, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task RunAsync_ComponentOnNewEngineSameDirectory_DeserializesInsteadOfCompiling()
    {
        var greet = TestWasm.Example("greet/greet.wat");
        using (var first = NewEngine(Options))
        {
            var runtime = NewComponentRuntime(first, Options);
            Assert.Equal("\"Hello, a!\"", await RunGreet(runtime, greet, "\"a\""));
            Assert.Equal(1, runtime.Cache.CompiledModules);
        }

        using var second = NewEngine(Options);
        var restarted = NewComponentRuntime(second, Options);

        Assert.Equal("\"Hello, b!\"", await RunGreet(restarted, greet, "\"b\""));
        Assert.Equal(0, restarted.Cache.CompiledModules);
        Assert.Equal(1, restarted.Cache.DiskLoads);
    }

    private static Task<string> RunGreet(Propeller.Proplet.Runtimes.Components.WasmtimeComponentRuntime runtime, byte[] component, string name) =>
        runtime.RunAsync(new WasmRunRequest { TaskId = "greet", FunctionName = "greet", Wasm = component, Inputs = [name] }, CancellationToken.None);

    private Propeller.Proplet.Runtimes.Components.WasmtimeComponentRuntime NewComponentRuntime(WasmtimeEngine engine, WasmRuntimeOptions options) =>
        new(engine, options, new CompiledModuleCache(engine, options, _loggerFactory.CreateLogger<CompiledModuleCache>()));

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0xff;
        return copy;
    }

    private static Task<string> Run(WasmtimeCoreRuntime runtime, string a, string b) =>
        runtime.RunAsync(CoreRuntimeHarness.Request(TestWasm.Add, "add", a, b), CancellationToken.None);

    private WasmtimeEngine NewEngine(WasmRuntimeOptions options) =>
        new(options, _loggerFactory.CreateLogger<WasmtimeEngine>());

    private WasmtimeCoreRuntime NewRuntime(WasmtimeEngine engine, WasmRuntimeOptions options) =>
        new(engine, options, new CompiledModuleCache(engine, options, _loggerFactory.CreateLogger<CompiledModuleCache>()));
}
