using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Propeller.Testing;

namespace Propeller.Proplet.Tests.Support;

/// <summary>
/// A real Mosquitto on 127.0.0.1 with anonymous access, in a temporary directory; a missing mosquitto fails the
/// test. It can be stopped and restarted on the same port, for reconnect tests.
/// </summary>
public sealed class MosquittoBroker : IAsyncLifetime
{
    private readonly StringBuilder _log = new();
    private string? _path;
    private string? _directory;
    private Process? _process;

    public string Address => $"tcp://127.0.0.1:{Port ?? throw new InvalidOperationException("The broker has not started.")}";

    public int? Port { get; private set; }

    public async Task InitializeAsync()
    {
        _path = MosquittoProcess.Executable();

        _directory = Directory.CreateTempSubdirectory("propeller-mosquitto-").FullName;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync(FreePort.Next());
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // The free port was taken in between; pick another.
            }
        }
    }

    /// <summary>Stops the broker (clients see the connection drop) and starts it again on the same port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await ResumeAsync();
    }

    /// <summary>Starts a stopped broker again on its port.</summary>
    public Task ResumeAsync() => StartAsync(Port ?? throw new InvalidOperationException("The broker never started."));

    public async Task DisposeAsync()
    {
        await StopAsync();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task StartAsync(int port)
    {
        var config = Path.Combine(_directory!, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence false
            """);
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(_path!, ["-c", config])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            },
        };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {process.ExitCode}: {Log()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                Port = port;
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"mosquitto did not listen on port {port}: {Log()}");
    }

    /// <summary>Kills the broker; its port stays reserved for <see cref="ResumeAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }
}
