using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using Propeller.Contracts.Messages;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Runtimes.Host;

namespace Propeller.Proplet.Monitoring;

/// <summary>What discovery says about this proplet and its host (proplet-reference §1.3.1).</summary>
internal static class HostInfo
{
    public const string WasmRuntime = HostRuntimeSelection.EmbeddedRuntimeName;

    // Only used to pick the outgoing interface: "connecting" a UDP socket sends no packet.
    private static readonly IPEndPoint RouteProbe = new(IPAddress.Parse("8.8.8.8"), 80);

    public static string PropletVersion { get; } = ReadVersion();

    public static PropletMetadata Describe(PropletOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var metadata = new PropletMetadata
        {
            Description = options.Description,
            Tags = options.Tags.Count > 0 ? options.Tags : null,
            Location = options.Location,
            PropletVersion = PropletVersion,
            WasmRuntime = HostRuntimeSelection.RuntimeName(options),
        };

        return options.CollectSystemInfo
            ? metadata with
            {
                Ip = LocalIp(),
                Environment = File.Exists("/.dockerenv") ? "docker" : "binary",
                Os = OsName(),
                Hostname = HostName(),
                CpuArch = CpuArch(RuntimeInformation.OSArchitecture),
                TotalMemoryBytes = TotalMemoryBytes(),
            }
            : metadata with { Environment = "", Os = "", CpuArch = "" };
    }

    /// <summary>The architecture as Rust names it (<c>x86_64</c>, <c>aarch64</c>...), as the original reports it.</summary>
    public static string CpuArch(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "x86_64",
        Architecture.Arm64 => "aarch64",
        Architecture.X86 => "x86",
        Architecture.Arm or Architecture.Armv6 => "arm",
        Architecture.Ppc64le => "powerpc64",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    private static string OsName() =>
        OperatingSystem.IsLinux() ? "linux"
        : OperatingSystem.IsMacOS() ? "macos"
        : OperatingSystem.IsWindows() ? "windows"
        : OperatingSystem.IsFreeBSD() ? "freebsd"
        : RuntimeInformation.OSDescription;

    private static string? LocalIp()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(RouteProbe);
            return (socket.LocalEndPoint as IPEndPoint)?.Address.ToString();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static string? HostName()
    {
        try
        {
            var name = Environment.MachineName;
            return string.IsNullOrEmpty(name) ? null : name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static ulong TotalMemoryBytes()
    {
        try
        {
            if (OperatingSystem.IsLinux() && ProcFs.KilobyteField(File.ReadAllText("/proc/meminfo"), "MemTotal") is { } total)
            {
                return total;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Fall back to what the runtime knows.
        }

        return (ulong)Math.Max(0, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    private static string ReadVersion()
    {
        var version = typeof(HostInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(HostInfo).Assembly.GetName().Version?.ToString(3)
            ?? "0.0.0";
        var metadataStart = version.IndexOf('+', StringComparison.Ordinal);
        return metadataStart >= 0 ? version[..metadataStart] : version;
    }
}
