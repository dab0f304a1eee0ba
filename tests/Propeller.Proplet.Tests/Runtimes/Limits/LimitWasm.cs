using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Tests.Runtimes.Limits;

/// <summary>Guests that break one limit each.</summary>
internal static class LimitWasm
{
    /// <summary><c>spin</c> loops forever without touching the host.</summary>
    public static byte[] Spin { get; } = WatCompiler.ToWasm("""
        (module
          (func (export "spin") (loop $forever (br $forever))))
        """);

    /// <summary>
    /// <c>hog</c> grows its memory one page at a time, as an allocator does, until <c>memory.grow</c> answers -1,
    /// then traps the way an allocator's abort does.
    /// </summary>
    public static byte[] Hog { get; } = WatCompiler.ToWasm("""
        (module
          (memory (export "memory") 1)
          (func (export "hog")
            (loop $more
              (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
            unreachable))
        """);

    /// <summary>Declares an initial memory of 64 pages (4 MiB).</summary>
    public static byte[] LargeInitialMemory { get; } = WatCompiler.ToWasm("""
        (module
          (memory (export "memory") 64)
          (func (export "main") (result i32) (i32.const 1)))
        """);

    /// <summary><c>count(n)</c> loops n times and returns n.</summary>
    public static byte[] Count { get; } = WatCompiler.ToWasm("""
        (module
          (func (export "count") (param $n i32) (result i32)
            (local $i i32)
            (block $done
              (loop $more
                (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $more)))
            (local.get $i)))
        """);
}
