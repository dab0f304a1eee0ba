using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Propeller.Testing.Registry;

/// <summary>
/// The Docker token endpoint of a token-auth registry: <c>GET /token?service=..&amp;scope=repository:name:pull,push</c>
/// with HTTP Basic credentials answers <c>{"token", "access_token", "expires_in", "issued_at"}</c> granting every
/// requested action; wrong or missing credentials get 401 with a JSON error. Runs on Kestrel at 127.0.0.1, port 0.
/// </summary>
internal sealed class RegistryTokenServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RegistryTokenSigner _signer;
    private readonly string _username;
    private readonly string _password;
    private readonly ConcurrentQueue<string> _scopes = new();
    private int _requests;

    private RegistryTokenServer(WebApplication app, RegistryTokenSigner signer, string username, string password)
    {
        _app = app;
        _signer = signer;
        _username = username;
        _password = password;
    }

    /// <summary>The realm URL the registry puts in its Bearer challenge.</summary>
    public string Realm { get; private set; } = "";

    public int Requests => Volatile.Read(ref _requests);

    public IReadOnlyList<string> Scopes => [.. _scopes];

    public static async Task<RegistryTokenServer> StartAsync(RegistryTokenSigner signer, string username, string password)
    {
        // The empty builder reads no configuration files, so many fixtures never pile up file watchers.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new RegistryTokenServer(app, signer, username, password);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Realm = address.TrimEnd('/') + "/token";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path != "/token")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        Interlocked.Increment(ref _requests);
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            // OAuth2-style POST is not offered; 405 tells clients such as containerd to fall back to GET.
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var service = context.Request.Query["service"].ToString();
        if (service.Length > 0 && service != _signer.Service)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "UNSUPPORTED", $"unknown service '{service}'");
            return;
        }

        if (ReadBasic(context.Request.Headers.Authorization.ToString()) is not var (user, pass) || user != _username || pass != _password)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"token\"";
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "UNAUTHORIZED", "authentication required: incorrect username or password");
            return;
        }

        var grants = new List<RegistryAccess>();
        foreach (var scope in context.Request.Query["scope"])
        {
            // A request may carry several scopes, each "type:name:actions"; a name may itself hold ':'.
            foreach (var one in (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                _scopes.Enqueue(one);
                var first = one.IndexOf(':', StringComparison.Ordinal);
                var last = one.LastIndexOf(':');
                if (first > 0 && last > first + 1)
                {
                    grants.Add(new RegistryAccess(one[..first], one[(first + 1)..last], one[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries)));
                }
            }
        }

        var issuedAt = DateTimeOffset.UtcNow;
        var token = _signer.CreateToken(user, grants, issuedAt);
        await WriteJsonAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteString("token", token);
            w.WriteString("access_token", token);
            w.WriteNumber("expires_in", RegistryTokenSigner.ExpiresInSeconds);
            w.WriteString("issued_at", issuedAt.UtcDateTime.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        });
    }

    private static (string User, string Pass)? ReadBasic(string header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string code, string message) =>
        WriteJsonAsync(context, status, w =>
        {
            w.WriteStartArray("errors");
            w.WriteStartObject();
            w.WriteString("code", code);
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteEndArray();
        });

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(stream.ToArray());
    }
}
