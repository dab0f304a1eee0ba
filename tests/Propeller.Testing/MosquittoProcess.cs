using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Propeller.Testing;

/// <summary>
/// A real Mosquitto 2 broker on a free 127.0.0.1 port in a temporary directory: anonymous by default, or with a
/// password file (written by <c>mosquitto_passwd</c>) and an ACL. Stopped and cleaned up on dispose.
/// </summary>
public sealed class MosquittoProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private MosquittoProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The broker's process id, e.g. to read its CPU time.</summary>
    public int ProcessId => _process.Id;

    public string Address => string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{Port}");

    /// <summary>The path of the mosquitto binary; a missing one fails the test.</summary>
    public static string Executable() => RequiredTool.Find("/usr/sbin/mosquitto") ?? RequiredTool.Require("mosquitto");

    /// <param name="users">Username → password; when given, anonymous clients are refused.</param>
    /// <param name="acl">Lines of a mosquitto ACL file (e.g. <c>user x</c>, <c>topic readwrite m/t/c/c/#</c>).</param>
    /// <param name="extraConfig">More lines for mosquitto.conf.</param>
    public static async Task<MosquittoProcess> StartAsync(
        IReadOnlyDictionary<string, string>? users = null, IReadOnlyList<string>? acl = null, IReadOnlyList<string>? extraConfig = null)
    {
        var executable = Executable();
        var directory = Directory.CreateTempSubdirectory("propeller-mosquitto-").FullName;
        // Started as root, mosquitto drops to its own user before it reads the password and ACL files.
        MakeReadable(directory, "755");
        var port = FreePort.Next();
        var config = new List<string>
        {
            $"listener {port} 127.0.0.1",
            "persistence false",
            "max_packet_size 10485760",
            $"allow_anonymous {(users is null ? "true" : "false")}",
        };
        if (users is not null)
        {
            var passwd = Path.Combine(directory, "passwd");
            await File.WriteAllTextAsync(passwd, string.Concat(users.Select(u => $"{u.Key}:{u.Value}\n")));
            var hasher = RequiredTool.Find("mosquitto_passwd") ?? RequiredTool.Find("/usr/bin/mosquitto_passwd")
                ?? throw new InvalidOperationException("mosquitto_passwd is not installed");
            await RunAsync(hasher, "-U", passwd);
            MakeReadable(passwd, "644");
            config.Add($"password_file {passwd}");
        }

        if (acl is not null)
        {
            var aclFile = Path.Combine(directory, "acl");
            await File.WriteAllLinesAsync(aclFile, acl);
            MakeReadable(aclFile, "644");
            config.Add($"acl_file {aclFile}");
        }

        config.AddRange(extraConfig ?? []);
        var configFile = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllLinesAsync(configFile, config);
        var process = Process.Start(new ProcessStartInfo(executable, ["-c", configFile])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var mosquitto = new MosquittoProcess(process, directory, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with code {process.ExitCode}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return mosquitto;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await mosquitto.DisposeAsync();
        throw new InvalidOperationException("mosquitto did not accept connections within 10 s");
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    /// <summary>Kills the broker and removes its directory; safe to call more than once (e.g. at process exit).</summary>
    public void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }

            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Already gone, or left for the system's temp cleaner.
        }
    }

    /// <summary>
    /// Freezes the broker (SIGSTOP): its sockets stay open and the kernel still accepts bytes, but nothing is
    /// answered — a broker behind a dead network path, as a client sees it.
    /// </summary>
    public Task FreezeAsync() => RunAsync("kill", "-STOP", ProcessId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Lets a frozen broker run again (SIGCONT).</summary>
    public Task ThawAsync() => RunAsync("kill", "-CONT", ProcessId.ToString(CultureInfo.InvariantCulture));

    public override string ToString() => $"mosquitto at {Address}";

    private static void MakeReadable(string path, string octalMode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octalMode, 8));
        }
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{file} did not start");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {error}");
        }
    }
}
