using Propeller.Contracts.Configuration;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Plugins;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Plugins;

public sealed class PluginLoaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly CapturingLoggerProvider _logs = new();

    [Fact]
    public void Load_MissingDirectory_WarnsAndLoadsNothing()
    {
        var missing = Path.Combine(Path.GetTempPath(), "propeller-no-such-plugins-" + Guid.NewGuid().ToString("N"));

        var plugins = PluginLoader.Load(missing, Timeout, _logs.CreateLogger("test"));

        Assert.Empty(plugins);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == EventIds.PluginDirMissing && e.Message.Contains(missing, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_PathIsAFile_ThrowsNamingTheVariable()
    {
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<ConfigurationException>(() => PluginLoader.Load(file, Timeout, _logs.CreateLogger("test")));
            Assert.StartsWith("MANAGER_PLUGIN_DIR:", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Load_InvalidAndIncompleteModules_AreSkippedAndTheRestLoadInNameOrder()
    {
        var good = PluginWat.Compile(PluginWat.Answering(new Dictionary<string, string> { ["authorize"] = "" }));
        var noFree = PluginWat.Compile("""(module (memory (export "memory") 1) (func (export "plugin_alloc") (param i32) (result i32) (i32.const 0)))""");
        var noMemory = PluginWat.Compile("""
            (module (memory 1)
              (func (export "plugin_alloc") (param i32) (result i32) (i32.const 0))
              (func (export "plugin_free") (param i32 i32)))
            """);
        var badHook = PluginWat.Compile("""
            (module (memory (export "memory") 1)
              (func (export "plugin_alloc") (param i32) (result i32) (i32.const 0))
              (func (export "plugin_free") (param i32 i32))
              (func (export "authorize") (param i32 i32) (result i32) (i32.const 0)))
            """);
        var directory = PluginWat.Directory(
            ("b-second.wasm", good),
            ("a-first.wasm", good),
            ("garbage.wasm", "not wasm at all"u8.ToArray()),
            ("no-free.wasm", noFree),
            ("no-memory.wasm", noMemory),
            ("bad-hook.wasm", badHook),
            ("readme.txt", good));
        Directory.CreateDirectory(Path.Combine(directory, "nested.wasm"));

        var plugins = PluginLoader.Load(directory, Timeout, _logs.CreateLogger("test"));

        Assert.Equal(["a-first", "b-second"], plugins.Select(p => p.Name));
        var failures = _logs.Entries.Where(e => e.EventId.Id == EventIds.PluginLoadFailed).Select(e => e.Message).ToList();
        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, m => m.Contains("garbage", StringComparison.Ordinal) && m.Contains("not a valid WebAssembly module", StringComparison.Ordinal));
        Assert.Contains(failures, m => m.Contains("no-free", StringComparison.Ordinal) && m.Contains("missing export 'plugin_free'", StringComparison.Ordinal));
        Assert.Contains(failures, m => m.Contains("no-memory", StringComparison.Ordinal) && m.Contains("missing export 'memory'", StringComparison.Ordinal));
        Assert.Contains(failures, m => m.Contains("bad-hook", StringComparison.Ordinal) && m.Contains("export 'authorize' has type", StringComparison.Ordinal));
        foreach (var plugin in plugins)
        {
            plugin.Dispose();
        }
    }

    [Fact]
    public void Load_PluginWithoutAuthorize_WarnsThatItPermitsEverything()
    {
        var directory = PluginWat.Directory(("enrich-env.wasm", PluginWat.Example("enrich-env.wat")));

        var plugins = PluginLoader.Load(directory, Timeout, _logs.CreateLogger("test"));

        var plugin = Assert.Single(plugins);
        Assert.Equal(["enrich_task"], plugin.Hooks);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == EventIds.PluginWithoutAuthorize && e.Message.Contains("all requests will be permitted", StringComparison.Ordinal));
        plugin.Dispose();
    }
}
