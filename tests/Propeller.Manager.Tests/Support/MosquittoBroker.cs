using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Support;

/// <summary>
/// One real mosquitto for the whole test run, on a free loopback port, anonymous access allowed. Tests isolate
/// themselves by using their own tenant and channel, so they can share it and still run in parallel.
/// </summary>
internal sealed class MosquittoBroker
{
    private static readonly Lazy<Task<MosquittoBroker>> Shared = new(StartAsync);
    private readonly Process _process;

    private MosquittoBroker(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Address => string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{Port}");

    public static string? FindExecutable() => RequiredTool.Find("mosquitto") ?? RequiredTool.Find("/usr/sbin/mosquitto");

    public static Task<MosquittoBroker> GetAsync() => Shared.Value;

    private static async Task<MosquittoBroker> StartAsync()
    {
        var executable = FindExecutable() ?? RequiredTool.Require("mosquitto")
            ?? throw new InvalidOperationException("mosquitto is not installed");
        var directory = Directory.CreateTempSubdirectory("propeller-manager-mosquitto-").FullName;
        var port = FreePort.Next();
        var config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_queued_messages 100000
            """);
        var process = Process.Start(new ProcessStartInfo(executable, ["-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process, directory);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with code {process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return new MosquittoBroker(process, port);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        Stop(process, directory);
        throw new InvalidOperationException($"mosquitto did not listen on port {port}");
    }

    private static void Stop(Process process, string directory)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }

            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Best effort at process exit.
        }
    }

    public override string ToString() => $"mosquitto (pid {_process.Id}) at {Address}";
}
