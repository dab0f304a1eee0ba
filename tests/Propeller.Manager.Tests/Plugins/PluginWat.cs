using System.Globalization;
using System.Text;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Plugins;

/// <summary>Builds plugin modules in WebAssembly text for the tests, and plugin directories of them.</summary>
internal static class PluginWat
{
    private const string Allocator = """
          (global $top (mut i32) (i32.const 65536))
          (func (export "plugin_alloc") (param $len i32) (result i32)
            (local $ptr i32)
            (local.set $ptr (global.get $top))
            (global.set $top (i32.add (global.get $top) (i32.and (i32.add (local.get $len) (i32.const 7)) (i32.const -8))))
            (local.get $ptr))
          (func (export "plugin_free") (param $ptr i32) (param $len i32)
            (if (i32.eq (i32.add (local.get $ptr) (i32.and (i32.add (local.get $len) (i32.const 7)) (i32.const -8))) (global.get $top))
              (then (global.set $top (local.get $ptr)))))
        """;

    /// <summary>A plugin whose hooks answer fixed JSON (an empty string answers length 0).</summary>
    public static string Answering(IReadOnlyDictionary<string, string> answers)
    {
        var text = new StringBuilder("(module\n  (memory (export \"memory\") 2)\n").Append(Allocator).Append('\n');
        var offset = 1024;
        foreach (var (hook, json) in answers)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            text.Append(CultureInfo.InvariantCulture, $"  (data (i32.const {offset}) \"{Escape(bytes)}\")\n");
            text.Append(CultureInfo.InvariantCulture, $"  (func (export \"{hook}\") (param i32 i32) (result i64)\n");
            text.Append(CultureInfo.InvariantCulture, $"    (i64.or (i64.shl (i64.const {offset}) (i64.const 32)) (i64.const {bytes.Length})))\n");
            offset += ((bytes.Length / 1024) + 1) * 1024;
        }

        return text.Append(')').ToString();
    }

    /// <summary>A plugin whose <paramref name="hook"/> runs <paramref name="body"/> (WAT instructions giving an i64).</summary>
    public static string WithHook(string hook, string body) => $$"""
        (module
          (memory (export "memory") 2)
        {{Allocator}}
          (func (export "{{hook}}") (param i32 i32) (result i64)
            {{body}})
        )
        """;

    public static byte[] Compile(string wat) => Wasmtime.Module.ConvertText(wat);

    public static byte[] Example(string file) => Compile(File.ReadAllText(RepoPaths.Example("plugins", file)));

    /// <summary>A fresh directory holding <paramref name="files"/> (name → content).</summary>
    public static string Directory(params (string Name, byte[] Content)[] files)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("propeller-plugins-").FullName;
        foreach (var (name, content) in files)
        {
            File.WriteAllBytes(Path.Combine(directory, name), content);
        }

        return directory;
    }

    private static string Escape(byte[] bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7f && b != '"' && b != '\\' ? ((char)b).ToString() : string.Create(CultureInfo.InvariantCulture, $"\\{b:x2}"));
        }

        return text.ToString();
    }
}
