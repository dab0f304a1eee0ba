using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Propeller.Testing.Postgres;

/// <summary>
/// A real PostgreSQL 15 server (Debian's package) on a free 127.0.0.1 port, in a temporary directory, with trust
/// authentication for the superuser <c>propeller</c>. initdb refuses to run as root, so as root the directory is
/// given to the <c>postgres</c> user and the server's tools run through <c>runuser -u postgres --</c>. Stopped
/// (<c>-m fast</c>) and deleted on dispose. A missing binary fails the test (<see cref="RequiredTool"/>).
/// </summary>
public sealed class PostgresProcess : IAsyncDisposable
{
    public const string User = "propeller";

    public const string Host = "127.0.0.1";

    private const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";

    private readonly string _binDirectory;
    private readonly string _directory;
    private bool _stopped;

    private PostgresProcess(string binDirectory, string directory, int port)
    {
        _binDirectory = binDirectory;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The data directory; the server log is <c>postgres.log</c> beside it.</summary>
    public string DataDirectory => Path.Combine(_directory, "data");

    public string LogFile => Path.Combine(_directory, "postgres.log");

    /// <summary>The directory of initdb, pg_ctl and createdb; a missing initdb fails the test.</summary>
    public static string BinDirectory() =>
        Path.GetDirectoryName(RequiredTool.Find(Path.Combine(DefaultBinDirectory, "initdb")) ?? ResolveLink(RequiredTool.Require("initdb")))!;

    public static async Task<PostgresProcess> StartAsync()
    {
        var bin = BinDirectory();
        var asRoot = IsRoot();
        if (asRoot)
        {
            RequiredTool.Require("runuser");
        }

        var directory = Directory.CreateTempSubdirectory("propeller-postgres-").FullName;
        var server = new PostgresProcess(bin, directory, FreePort.Next());
        try
        {
            if (asRoot)
            {
                await RunAsync("chown", ["postgres:postgres", directory], asPostgres: false);
            }

            await server.RunToolAsync("initdb", ["-D", server.DataDirectory, "-A", "trust", "-U", User, "-E", "UTF8", "--no-sync"]);
            await server.StartServerAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the server again after <see cref="StopServerAsync"/>, on the same port and data: an outage that ends.
    /// </summary>
    public async Task StartServerAsync()
    {
        // fsync off: a test server's data need not survive a power cut, and tests run much faster.
        var serverOptions = string.Create(
            CultureInfo.InvariantCulture,
            $"-p {Port} -k {_directory} -c listen_addresses={Host} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
        await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", serverOptions, "start"]);
        await WaitForTcpAsync();
    }

    /// <summary>Stops the server (fast shutdown: open connections are cut) and keeps its data for a restart.</summary>
    public Task StopServerAsync() => RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"]);

    /// <summary>A connection string for <paramref name="database"/> (Npgsql/ADO.NET keywords).</summary>
    public string ConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host={Host};Port={Port};Username={User};Database={database};Pooling=false");

    /// <summary>Creates a new, empty database with a unique name and returns the name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        // Lower-case letters, digits and '_' need no quoting; 30 + 1 + 32 stays within PostgreSQL's 63-byte names.
        var clean = new string(prefix.ToLowerInvariant().Where(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_').Take(30).ToArray());
        var name = $"{(clean.Length == 0 ? "test" : clean)}_{Guid.NewGuid():N}";
        var createdb = Path.Combine(_binDirectory, "createdb");
        await RunAsync(createdb, ["-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, name], asPostgres: false);
        return name;
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops the server (fast shutdown) and removes its directory; safe to call more than once.</summary>
    public void Stop()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"]).GetAwaiter().GetResult();
            }
        }
        catch (InvalidOperationException)
        {
            KillPostmaster();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the system's temp cleaner.
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"PostgreSQL at {Host}:{Port}");

    private static bool IsRoot() => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private static string ResolveLink(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    private Task RunToolAsync(string tool, IReadOnlyList<string> args) => RunAsync(Path.Combine(_binDirectory, tool), args, asPostgres: IsRoot());

    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres)
    {
        var start = asPostgres
            ? new ProcessStartInfo(RequiredTool.Require("runuser"), ["-u", "postgres", "--", file, .. args])
            : new ProcessStartInfo(file, args);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(file)} did not finish within 90 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}{await output}");
        }
    }

    private async Task WaitForTcpAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(Host, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"PostgreSQL did not accept connections on {Host}:{Port} within 30 s:\n{ReadLog()}", ex);
            }
        }
    }

    private string ReadLog()
    {
        try
        {
            return File.ReadAllText(LogFile, Encoding.UTF8);
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    // pg_ctl could not stop it: end the postmaster this fixture started, named by its pid file.
    private void KillPostmaster()
    {
        try
        {
            var pidLine = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault();
            if (int.TryParse(pidLine, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                using var postmaster = Process.GetProcessById(pid);
                postmaster.Kill(entireProcessTree: true);
                postmaster.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Already gone.
        }
    }
}
