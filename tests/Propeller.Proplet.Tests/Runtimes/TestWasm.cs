using Propeller.Proplet.Runtimes;

using Propeller.Testing;

namespace Propeller.Proplet.Tests.Runtimes;

/// <summary>Wasm fixtures: the examples (compiled from .wat in process, or the committed .wasm) and small modules.</summary>
internal static class TestWasm
{
    public static byte[] Example(string relativePath)
    {
        var path = Path.Combine(RepoPaths.Examples, relativePath);
        return path.EndsWith(".wat", StringComparison.Ordinal)
            ? WatCompiler.ToWasm(File.ReadAllText(path))
            : File.ReadAllBytes(path);
    }

    public static byte[] Add => Example("add/add.wat");

    /// <summary>Prints "partial\n", then calls proc_exit(code) from <c>exit</c>.</summary>
    public static byte[] ExitWith(int code) => WatCompiler.ToWasm($$"""
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "partial\n")
          (data (i32.const 32) "boom\n")
          (func (export "exit") (result i32)
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 8))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (i32.store (i32.const 0) (i32.const 32))
            (i32.store (i32.const 4) (i32.const 5))
            (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $proc_exit (i32.const {{code}}))
            (i32.const 7)))
        """);

    /// <summary><c>flood</c> writes <paramref name="chunks"/> × 64 KiB of 'x' to stdout.</summary>
    public static byte[] Flood(int chunks) => WatCompiler.ToWasm($$"""
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 2)
          (func (export "flood")
            (local $i i32)
            (memory.fill (i32.const 1024) (i32.const 120) (i32.const 65536))
            (i32.store (i32.const 0) (i32.const 1024))
            (i32.store (i32.const 4) (i32.const 65536))
            (loop $more
              (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $more (i32.lt_u (local.get $i) (i32.const {{chunks}}))))))
        """);

    /// <summary><c>spin</c> creates "started" in the first preopened directory, then loops forever.</summary>
    public static byte[] SignalThenLoop { get; } = WatCompiler.ToWasm("""
        (module
          (import "wasi_snapshot_preview1" "path_open"
            (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 64) "started")
          (func (export "spin")
            (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 7)
                  (i32.const 1) (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 32)))
              (then (drop (call $fd_close (i32.load (i32.const 32))))))
            (loop $forever (br $forever))))
        """);

    /// <summary>Imports a function no proplet provides.</summary>
    public static byte[] ForeignImport { get; } = WatCompiler.ToWasm("""
        (module
          (import "env" "host_magic" (func $magic (result i32)))
          (func (export "main") (result i32) (call $magic)))
        """);

    /// <summary><c>grow(pages)</c> returns memory.grow's answer: the old size in pages, or -1.</summary>
    public static byte[] Grow { get; } = WatCompiler.ToWasm("""
        (module
          (memory (export "memory") 1)
          (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages))))
        """);

    /// <summary>Odd signatures: a trap, two results, a v128 parameter and result, an i64 identity and
    /// endless recursion.</summary>
    public static byte[] Misc { get; } = WatCompiler.ToWasm("""
        (module
          (func (export "crash") unreachable)
          (func (export "pair") (result i32 i64) (i32.const 1) (i64.const 2))
          (func (export "vector") (param v128) (result i32) (i32.const 0))
          (func (export "vector_out") (result v128) (v128.const i64x2 0 0))
          (func (export "id64") (param i64) (result i64) (local.get 0))
          (func $recurse (export "recurse") (param i32) (result i32)
            (i32.add (i32.const 1) (call $recurse (local.get 0)))))
        """);
}
