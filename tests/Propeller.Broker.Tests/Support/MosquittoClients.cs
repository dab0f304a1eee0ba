using System.Diagnostics;
using System.Text;

namespace Propeller.Broker.Tests.Support;

/// <summary>Runs the Mosquitto command-line clients against the broker under test.</summary>
internal static class MosquittoClients
{
    public const string Pub = "mosquitto_pub";
    public const string Sub = "mosquitto_sub";

    /// <summary>Runs a client to completion and returns its exit code and output.</summary>
    public static async Task<ProcessResult> RunAsync(string tool, params string[] arguments)
    {
        using var process = Start(tool, arguments);
        using var timeout = new CancellationTokenSource(TestTimeouts.Wait);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not exit within {TestTimeouts.Wait.TotalSeconds} s.");
        }

        return await process.CompleteAsync();
    }

    /// <summary>Starts a client and returns it running; read its output with <see cref="MosquittoProcess.CompleteAsync"/>.</summary>
    public static MosquittoProcess Start(string tool, params string[] arguments)
    {
        var path = Propeller.Testing.RequiredTool.Require(tool);

        // Into a pipe the clients' stdout is block-buffered; coreutils' stdbuf (which execs the tool) makes it line-buffered.
        var stdbuf = Propeller.Testing.RequiredTool.Find("stdbuf");
        var info = new ProcessStartInfo(stdbuf ?? path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (stdbuf is not null)
        {
            info.ArgumentList.Add("-oL");
            info.ArgumentList.Add(path);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new MosquittoProcess(Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start."));
    }

    /// <summary>Arguments that connect as the entity to the broker under test.</summary>
    public static string[] Connection(int port, string entityId, string apiKey) =>
        ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-u", entityId, "-P", apiKey, "-i", entityId, "-V", "mqttv311"];

}

/// <summary>A running Mosquitto client whose output is collected line by line as it arrives.</summary>
internal sealed class MosquittoProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MosquittoProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data, _stdoutClosed);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data, _stderrClosed);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Waits until standard output contains <paramref name="text"/> (e.g. mosquitto_sub -d's SUBACK line).</summary>
    public Task WaitForOutputAsync(string text) =>
        Eventually.WaitAsync(() => StandardOutput.Contains(text, StringComparison.Ordinal), $"'{text}' from the mosquitto client");

    public void Kill(bool entireProcessTree) => _process.Kill(entireProcessTree);

    public async Task<ProcessResult> CompleteAsync()
    {
        await _process.WaitForExitAsync();
        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task);
        lock (_stdout)
        {
            lock (_stderr)
            {
                return new ProcessResult(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder target, string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (target)
        {
            target.Append(line).Append('\n');
        }
    }
}

internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
