using System.Globalization;
using System.Runtime.InteropServices;

namespace Propeller.Proplet.Runtimes.Limits;

/// <summary>
/// Checks that the pooling allocator's address-space reservation can be made before asking Wasmtime for it: the
/// Wasmtime C API aborts the whole process (a Rust panic) when the reservation fails, instead of returning an error.
/// The probe reserves the same amount of address space with no access and no commit, and releases it at once, and
/// checks that the pool's mappings fit under <c>vm.max_map_count</c> (the other way the reservation fails).
/// </summary>
internal static class PoolReservationProbe
{
    // What Wasmtime reserves per linear-memory slot on 64-bit hosts (bounds-check elimination) and its guard.
    private const long MemoryReservationBytes = 4L * 1024 * 1024 * 1024;
    private const long GuardBytes = 32L * 1024 * 1024;

    // Tables, instance metadata and slack on top of the memory slots.
    private const long OverheadBytes = 1L * 1024 * 1024 * 1024;

    private const int ProtNone = 0;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const int MapNoReserve = 0x4000;

    /// <summary>Address space a pool of <paramref name="memories"/> slots of <paramref name="maxMemoryBytes"/> needs.</summary>
    public static long RequiredBytes(long memories, long maxMemoryBytes)
    {
        var slot = Math.Max(MemoryReservationBytes, maxMemoryBytes) + GuardBytes;
        return memories > (long.MaxValue - OverheadBytes) / slot ? long.MaxValue : (memories * slot) + OverheadBytes;
    }

    /// <summary>Kernel mappings a pool may add: a guarded region per slot and per stack, plus the pool headers.</summary>
    public static long RequiredMappings(long slots, long stacks) => (2 * (slots + stacks)) + 64;

    /// <summary>
    /// Null when <paramref name="bytes"/> of address space and <paramref name="mappings"/> more kernel mappings can
    /// be had, else why not.
    /// </summary>
    public static string? CannotReserve(long bytes, long mappings)
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return "the reservation can only be checked on 64-bit Linux";
        }

        if (FreeMappings() is { } free && free < mappings)
        {
            return $"only {free} more memory mappings are allowed (vm.max_map_count), the pool needs up to {mappings}";
        }

        try
        {
            var address = Mmap(0, (nuint)bytes, ProtNone, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
            if (address == -1)
            {
                return $"reserving {bytes} bytes of address space failed (errno {Marshal.GetLastPInvokeError()})";
            }

            _ = Munmap(address, (nuint)bytes);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"the reservation could not be checked: {e.Message}";
        }
    }

    private static long? FreeMappings()
    {
        try
        {
            var limit = long.Parse(File.ReadAllText("/proc/sys/vm/max_map_count").Trim(), CultureInfo.InvariantCulture);
            return limit - File.ReadLines("/proc/self/maps").LongCount();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static extern int Munmap(nint address, nuint length);
}
