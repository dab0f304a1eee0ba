using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Tests.Runtimes;

namespace Propeller.Proplet.Tests.Runtimes.Components;

/// <summary>Component fixtures: the examples and small components in the component text format.</summary>
internal static class TestComponents
{
    /// <summary><c>greet: func(name: string) -> string</c> returning "Hello, name!".</summary>
    public static byte[] Greet { get; } = TestWasm.Example("greet/greet.wat");

    /// <summary>A WASI P2 command that writes a line to stdout and one to stderr.</summary>
    public static byte[] Command { get; } = TestWasm.Example("command-component/hello.wat");

    /// <summary>The command example with <c>run</c> returning <c>err</c>.</summary>
    public static byte[] FailingCommand { get; } = WatCompiler.ToWasm(
        File.ReadAllText(Path.Combine(Propeller.Testing.RepoPaths.Examples, "command-component/hello.wat"))
            .Replace("(i32.const 33))\n      (i32.const 0)))", "(i32.const 33))\n      (i32.const 1)))", StringComparison.Ordinal));

    /// <summary>
    /// <c>double</c> at the top level, <c>triple</c> in <c>elastic:demo/math@0.1.0</c>, <c>quad</c> in
    /// <c>acme:tools/misc</c> (not a wasi:/elastic: interface), <c>spin</c> that never returns, <c>crash</c>
    /// that traps and <c>noop</c> without a result; every number is a u32.
    /// </summary>
    public static byte[] Exports { get; } = WatCompiler.ToWasm("""
        (component
          (core module $m
            (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
            (func (export "triple") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
            (func (export "quad") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 4)))
            (func (export "spin") (loop $forever (br $forever)))
            (func (export "crash") unreachable)
            (func (export "noop")))
          (core instance $i (instantiate $m))
          (func $double (param "x" u32) (result u32) (canon lift (core func $i "double")))
          (func $triple (param "x" u32) (result u32) (canon lift (core func $i "triple")))
          (func $quad (param "x" u32) (result u32) (canon lift (core func $i "quad")))
          (func $spin (canon lift (core func $i "spin")))
          (func $crash (canon lift (core func $i "crash")))
          (func $noop (canon lift (core func $i "noop")))
          (instance $math (export "triple" (func $triple)))
          (instance $misc (export "quad" (func $quad)))
          (export "double" (func $double))
          (export "elastic:demo/math@0.1.0" (instance $math))
          (export "acme:tools/misc" (instance $misc))
          (export "spin" (func $spin))
          (export "crash" (func $crash))
          (export "noop" (func $noop)))
        """);

    /// <summary>
    /// <c>describe(shape, color, perms, point, pair) -> result&lt;u64, string&gt;</c>: ok(point.0 * point.1) for a
    /// circle, err("no shape") otherwise. Exercises the native type reader on every compound kind.
    /// </summary>
    public static byte[] Describe { get; } = WatCompiler.ToWasm("""
        (component
          (core module $m
            (memory (export "mem") 1)
            (data (i32.const 100) "no shape")
            (func (export "describe")
              (param $shape i32) (param $radius f64) (param $color i32) (param $perms i32)
              (param $px i32) (param $py i32) (param $x i32) (param $has-y i32) (param $y i32) (result i32)
              (if (i32.eqz (local.get $shape))
                (then
                  (i32.store8 (i32.const 0) (i32.const 0))
                  (i64.store (i32.const 8) (i64.extend_i32_s (i32.mul (local.get $px) (local.get $py)))))
                (else
                  (i32.store8 (i32.const 0) (i32.const 1))
                  (i32.store (i32.const 8) (i32.const 100))
                  (i32.store (i32.const 12) (i32.const 8))))
              (i32.const 0)))
          (core instance $i (instantiate $m))
          (type $shape' (variant (case "circle" f64) (case "none")))
          (export $shape "shape" (type $shape'))
          (type $color' (enum "red" "light-green"))
          (export $color "color" (type $color'))
          (type $perms' (flags "read" "write"))
          (export $perms "perms" (type $perms'))
          (type $pair' (record (field "x" u16) (field "y" (option char))))
          (export $pair "pair" (type $pair'))
          (func $describe
            (param "shape" $shape) (param "color" $color) (param "perms" $perms)
            (param "point" (tuple s32 s32)) (param "pair" $pair) (result (result u64 (error string)))
            (canon lift (core func $i "describe") (memory (core memory $i "mem"))))
          (export "describe" (func $describe)))
        """);

    /// <summary>
    /// A WASI P2 command printing its environment (<c>KEY=value</c> lines) and then <c>preopen:&lt;path&gt;</c> for
    /// every preopened directory, through <c>wasi:cli/environment</c> and <c>wasi:filesystem/preopens</c>.
    /// </summary>
    public static byte[] Environment { get; } = WatCompiler.ToWasm("""
        (component $C
          (import "wasi:io/error@0.2.0" (instance $io-error (export "error" (type (sub resource)))))
          (alias export $io-error "error" (type $error))
          (import "wasi:io/streams@0.2.0" (instance $streams
            (alias outer $C $error (type $outer-error))
            (export "error" (type $error (eq $outer-error)))
            (export "output-stream" (type $output-stream (sub resource)))
            (type $stream-error (variant (case "last-operation-failed" (own $error)) (case "closed")))
            (export "stream-error" (type $stream-error-export (eq $stream-error)))
            (export "[method]output-stream.blocking-write-and-flush"
              (func (param "self" (borrow $output-stream)) (param "contents" (list u8))
                (result (result (error $stream-error-export)))))))
          (alias export $streams "output-stream" (type $output-stream))
          (import "wasi:cli/stdout@0.2.0" (instance $stdout
            (alias outer $C $output-stream (type $outer-stream))
            (export "output-stream" (type $stream (eq $outer-stream)))
            (export "get-stdout" (func (result (own $stream))))))
          (import "wasi:cli/environment@0.2.0" (instance $environment
            (export "get-environment" (func (result (list (tuple string string)))))))
          (import "wasi:filesystem/types@0.2.0" (instance $fs-types (export "descriptor" (type (sub resource)))))
          (alias export $fs-types "descriptor" (type $descriptor))
          (import "wasi:filesystem/preopens@0.2.0" (instance $preopens
            (alias outer $C $descriptor (type $outer-descriptor))
            (export "descriptor" (type $d (eq $outer-descriptor)))
            (export "get-directories" (func (result (list (tuple (own $d) string)))))))

          (core module $Memory
            (memory (export "memory") 1)
            (global $heap (mut i32) (i32.const 4096))
            (func (export "realloc") (param i32 i32) (param $align i32) (param $size i32) (result i32)
              (local $ptr i32)
              (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                (i32.sub (i32.const 0) (local.get $align))))
              (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
              (if (i32.gt_u (global.get $heap) (i32.shl (memory.size) (i32.const 16)))
                (then (drop (memory.grow (i32.add (i32.shr_u (global.get $heap) (i32.const 16)) (i32.const 1))))))
              (local.get $ptr)))
          (core instance $memory (instantiate $Memory))

          (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $write))
          (alias export $stdout "get-stdout" (func $get-stdout))
          (alias export $environment "get-environment" (func $get-environment))
          (alias export $preopens "get-directories" (func $get-directories))
          (core func $write-lowered (canon lower (func $write) (memory (core memory $memory "memory"))))
          (core func $get-stdout-lowered (canon lower (func $get-stdout)))
          (core func $get-environment-lowered (canon lower (func $get-environment)
            (memory (core memory $memory "memory")) (realloc (core func $memory "realloc"))))
          (core func $get-directories-lowered (canon lower (func $get-directories)
            (memory (core memory $memory "memory")) (realloc (core func $memory "realloc"))))
          (core func $drop-stream (canon resource.drop $output-stream))
          (core func $drop-descriptor (canon resource.drop $descriptor))

          (core module $Main
            (import "host" "memory" (memory 1))
            (import "host" "write" (func $write (param i32 i32 i32 i32)))
            (import "host" "get-stdout" (func $get-stdout (result i32)))
            (import "host" "get-environment" (func $get-environment (param i32)))
            (import "host" "get-directories" (func $get-directories (param i32)))
            (import "host" "drop-stream" (func $drop-stream (param i32)))
            (import "host" "drop-descriptor" (func $drop-descriptor (param i32)))
            (data (i32.const 32) "=\n")
            (data (i32.const 40) "preopen:")
            (global $out (mut i32) (i32.const 0))
            (func $put (param $ptr i32) (param $len i32)
              (call $write (global.get $out) (local.get $ptr) (local.get $len) (i32.const 0)))
            (func (export "run") (result i32)
              (local $list i32) (local $count i32) (local $i i32) (local $entry i32)
              (global.set $out (call $get-stdout))
              ;; list<tuple<string, string>>: 16-byte entries (key ptr, key len, value ptr, value len)
              (call $get-environment (i32.const 16))
              (local.set $list (i32.load (i32.const 16)))
              (local.set $count (i32.load (i32.const 20)))
              (block $done (loop $next
                (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
                (local.set $entry (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 4))))
                (call $put (i32.load (local.get $entry)) (i32.load offset=4 (local.get $entry)))
                (call $put (i32.const 32) (i32.const 1))
                (call $put (i32.load offset=8 (local.get $entry)) (i32.load offset=12 (local.get $entry)))
                (call $put (i32.const 33) (i32.const 1))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
              ;; list<tuple<own<descriptor>, string>>: 12-byte entries (handle, path ptr, path len)
              (call $get-directories (i32.const 16))
              (local.set $list (i32.load (i32.const 16)))
              (local.set $count (i32.load (i32.const 20)))
              (local.set $i (i32.const 0))
              (block $done (loop $next
                (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
                (local.set $entry (i32.add (local.get $list) (i32.mul (local.get $i) (i32.const 12))))
                (call $put (i32.const 40) (i32.const 8))
                (call $put (i32.load offset=4 (local.get $entry)) (i32.load offset=8 (local.get $entry)))
                (call $put (i32.const 33) (i32.const 1))
                (call $drop-descriptor (i32.load (local.get $entry)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
              (call $drop-stream (global.get $out))
              (i32.const 0)))

          (core instance $host
            (export "memory" (memory $memory "memory"))
            (export "write" (func $write-lowered))
            (export "get-stdout" (func $get-stdout-lowered))
            (export "get-environment" (func $get-environment-lowered))
            (export "get-directories" (func $get-directories-lowered))
            (export "drop-stream" (func $drop-stream))
            (export "drop-descriptor" (func $drop-descriptor)))
          (core instance $main (instantiate $Main (with "host" (instance $host))))
          (func $run (result (result)) (canon lift (core func $main "run")))
          (instance $run-instance (export "run" (func $run)))
          (export "wasi:cli/run@0.2.0" (instance $run-instance)))
        """);
}
