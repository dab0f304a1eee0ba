using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Propeller.Testing.Registry;

/// <summary>
/// A real OCI registry (Debian's <c>docker-registry</c>, Docker distribution 2.8) on a free 127.0.0.1 port with its
/// storage in a temporary directory: anonymous, HTTP Basic (htpasswd, bcrypt), or Docker token auth backed by a
/// token server in this process. Killed and its directory removed on dispose.
/// </summary>
public sealed class RegistryProcess : IAsyncDisposable
{
    public const string DefaultUsername = "propeller";
    public const string DefaultPassword = "propeller-registry-secret";
    public const string TokenService = "propeller-test-registry";
    public const string TokenIssuer = "propeller-test-issuer";

    private const int MaxAttempts = 5;
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(20);
    private static readonly HttpStatusCode[] ReadyStatuses = [HttpStatusCode.OK, HttpStatusCode.Unauthorized];

    private readonly string _directory;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly OutputTail _output = new();
    private readonly RegistryTokenSigner? _signer;
    private readonly RegistryTokenServer? _tokenServer;
    private readonly RegistryUploader _uploader;
    private Process? _process;
    private int _disposed;

    private RegistryProcess(RegistryAuthMode mode, string directory, string username, string password, RegistryTokenSigner? signer, RegistryTokenServer? tokenServer)
    {
        AuthMode = mode;
        _directory = directory;
        _signer = signer;
        _tokenServer = tokenServer;
        Username = mode == RegistryAuthMode.Anonymous ? null : username;
        Password = mode == RegistryAuthMode.Anonymous ? null : password;
        _uploader = new RegistryUploader(_http, Authorize);
    }

    public RegistryAuthMode AuthMode { get; }

    public int Port { get; private set; }

    /// <summary><c>127.0.0.1:port</c>, the registry part of a reference such as <c>127.0.0.1:5000/repo:tag</c>.</summary>
    public string Host => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary><c>http://127.0.0.1:port</c>, without a trailing slash.</summary>
    public string BaseUrl => "http://" + Host;

    /// <summary>The account the registry (Basic) or its token server (Token) accepts; null when anonymous.</summary>
    public string? Username { get; }

    public string? Password { get; }

    /// <summary>The token endpoint named in the registry's Bearer challenge; null unless <see cref="RegistryAuthMode.Token"/>.</summary>
    public string? TokenRealm => _tokenServer?.Realm;

    /// <summary>HTTP requests the token server received (any outcome). The upload helpers mint tokens in process and are not counted.</summary>
    public int TokenRequests => _tokenServer?.Requests ?? 0;

    /// <summary>Every scope the token server was asked for, in order (e.g. <c>repository:app:pull</c>).</summary>
    public IReadOnlyList<string> TokenScopes => _tokenServer?.Scopes ?? [];

    /// <summary>The registry's recent log lines (bounded), for diagnostics.</summary>
    public string Output => _output.ToString();

    /// <summary>Starts a registry; fails the test when <c>docker-registry</c> is not installed.</summary>
    public static async Task<RegistryProcess> StartAsync(
        RegistryAuthMode mode = RegistryAuthMode.Anonymous, string username = DefaultUsername, string password = DefaultPassword)
    {
        var executable = Executable();
        var directory = Directory.CreateTempSubdirectory("propeller-registry-").FullName;
        RegistryTokenSigner? signer = null;
        RegistryTokenServer? tokenServer = null;
        RegistryProcess? registry = null;
        try
        {
            var auth = new List<string>();
            if (mode == RegistryAuthMode.Basic)
            {
                var htpasswd = Path.Combine(directory, "htpasswd");
                await File.WriteAllTextAsync(htpasswd, $"{username}:{BCrypt.Net.BCrypt.HashPassword(password, workFactor: 5)}\n");
                auth.AddRange(["auth:", "  htpasswd:", "    realm: test", $"    path: \"{htpasswd}\""]);
            }
            else if (mode == RegistryAuthMode.Token)
            {
                signer = new RegistryTokenSigner(TokenIssuer, TokenService);
                var bundle = Path.Combine(directory, "token-root.pem");
                await File.WriteAllTextAsync(bundle, signer.CertificatePem + "\n");
                tokenServer = await RegistryTokenServer.StartAsync(signer, username, password);
                auth.AddRange(["auth:", "  token:", $"    realm: \"{tokenServer.Realm}\"", $"    service: {TokenService}",
                    $"    issuer: {TokenIssuer}", $"    rootcertbundle: \"{bundle}\""]);
            }

            registry = new RegistryProcess(mode, directory, username, password, signer, tokenServer);
            await registry.LaunchAsync(executable, auth);
            return registry;
        }
        catch
        {
            if (registry is not null)
            {
                await registry.DisposeAsync();
            }
            else
            {
                if (tokenServer is not null)
                {
                    await tokenServer.DisposeAsync();
                }

                signer?.Dispose();
                TryDelete(directory);
            }

            throw;
        }
    }

    /// <summary>The path of the docker-registry binary; a missing one fails the test.</summary>
    public static string Executable() => RequiredTool.Find("/usr/bin/docker-registry") ?? RequiredTool.Require("docker-registry");

    /// <summary>Where the registry stores the bytes of blob <paramref name="digest"/> (<c>sha256:&lt;hex&gt;</c>).</summary>
    public string BlobPath(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        const string prefix = "sha256:";
        var hex = digest.StartsWith(prefix, StringComparison.Ordinal) ? digest[prefix.Length..] : "";
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException($"'{digest}' is not a sha256 digest", nameof(digest));
        }

        return Path.Combine(_directory, "data", "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    /// <summary>
    /// Overwrites the stored bytes of blob <paramref name="digest"/> with different bytes of the same length; the
    /// registry serves the file as it is, so a download then no longer matches its digest.
    /// </summary>
    public void CorruptBlob(string digest)
    {
        var path = BlobPath(digest);
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"blob {digest} is not stored", path);
        if (bytes.Length == 0)
        {
            throw new InvalidOperationException($"blob {digest} is empty: there are no bytes to change");
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] ^= 0xFF;
        }

        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Uploads <paramref name="bytes"/> as a blob of <paramref name="repository"/>; returns its digest.</summary>
    public Task<string> PutBlobAsync(string repository, byte[] bytes) => _uploader.PutBlobAsync(repository, bytes);

    /// <summary>Puts a manifest (or index) under <paramref name="reference"/> (tag or digest); returns the manifest digest.</summary>
    public Task<string> PutManifestAsync(string repository, string reference, string mediaType, byte[] json) =>
        _uploader.PutManifestAsync(repository, reference, mediaType, json);

    /// <summary>
    /// A bearer token for <paramref name="repository"/> with <paramref name="actions"/> (e.g. "pull", "push"), minted
    /// in process without touching <see cref="TokenRequests"/>. Token mode only.
    /// </summary>
    public string IssueToken(string repository, params string[] actions)
    {
        var signer = _signer ?? throw new InvalidOperationException("this registry does not use token auth");
        return signer.CreateToken(Username!, [new RegistryAccess("repository", repository, actions)], DateTimeOffset.UtcNow);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        Kill();
        _http.Dispose();
        if (_tokenServer is not null)
        {
            await _tokenServer.DisposeAsync();
        }

        _signer?.Dispose();
        TryDelete(_directory);
    }

    public override string ToString() => $"docker-registry at {BaseUrl} ({AuthMode})";

    private AuthenticationHeaderValue? Authorize(string repository) => AuthMode switch
    {
        RegistryAuthMode.Basic => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"))),
        RegistryAuthMode.Token => new AuthenticationHeaderValue("Bearer", IssueToken(repository, "pull", "push")),
        _ => null,
    };

    private async Task LaunchAsync(string executable, IReadOnlyList<string> auth)
    {
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
        for (var attempt = 1; ; attempt++)
        {
            // FreePort only says the port was free a moment ago; another process may take it first, so a clash retries.
            Port = FreePort.Next();
            _uploader.BaseUrl = BaseUrl;
            var config = Path.Combine(_directory, "registry.yml");
            await File.WriteAllLinesAsync(config, BuildConfig(auth));
            var process = new Process
            {
                StartInfo = new ProcessStartInfo(executable, ["serve", config])
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                    WorkingDirectory = _directory,
                },
            };
            process.OutputDataReceived += (_, e) => _output.Add(e.Data);
            process.ErrorDataReceived += (_, e) => _output.Add(e.Data);
            if (!process.Start())
            {
                throw new InvalidOperationException($"{executable} did not start");
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
            if (await WaitReadyAsync(process))
            {
                return;
            }

            if (process.HasExited && _output.Contains("address already in use") && attempt < MaxAttempts)
            {
                Kill();
                continue;
            }

            var state = process.HasExited ? $"exited with code {process.ExitCode}" : $"did not answer GET /v2/ within {StartupTimeout.TotalSeconds:0} s";
            throw new InvalidOperationException($"docker-registry on {Host} {state}. Its output:\n{Output}");
        }
    }

    private List<string> BuildConfig(IReadOnlyList<string> auth) =>
    [
        "version: 0.1",
        "log:",
        "  level: info",
        "  formatter: text",
        "storage:",
        "  filesystem:",
        $"    rootdirectory: \"{Path.Combine(_directory, "data")}\"",
        "  delete:",
        "    enabled: true",
        "http:",
        $"  addr: \"{Host}\"",
        // A fixed secret silences the registry's warning about generating one.
        $"  secret: \"{Guid.NewGuid():N}\"",
        .. auth,
    ];

    private async Task<bool> WaitReadyAsync(Process process)
    {
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var response = await _http.GetAsync(new Uri(BaseUrl + "/v2/"), probe.Token);
                if (ReadyStatuses.Contains(response.StatusCode))
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        return false;
    }

    private void KillOnExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        process.Dispose();
        _process = null;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the system's temp cleaner.
        }
    }
}
