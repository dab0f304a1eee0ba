using System.Diagnostics;

namespace Propeller.FleetSim.Footprint;

/// <summary>
/// <c>dotnet propeller.dll &lt;command&gt;</c> as a child process with its own environment, so its memory is
/// measured alone. Output is drained (a full pipe would stall it) and kept for the error message if it dies.
/// </summary>
internal sealed class ChildHost : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ChildHost(Process process, string name)
    {
        _process = process;
        Name = name;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public static ChildHost Start(string propellerDll, string command, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(propellerDll);
        info.ArgumentList.Add(command);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return new ChildHost(Process.Start(info) ?? throw new InvalidOperationException($"could not start {command}"), command);
    }

    /// <summary>Throws with the child's last output when it has exited.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            lock (_output)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{string.Join('\n', _output.TakeLast(20))}");
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 200)
            {
                _output.RemoveAt(0);
            }
        }
    }
}
