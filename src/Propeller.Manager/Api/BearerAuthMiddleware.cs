using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Propeller.Manager.Hosting;

namespace Propeller.Manager.Api;

/// <summary>
/// Requires <c>Authorization: Bearer &lt;api key&gt;</c> on every route not marked anonymous (DECISIONS §5).
/// Keys are compared by their SHA-256 in constant time, so neither content nor length leaks through timing.
/// </summary>
internal sealed partial class BearerAuthMiddleware(RequestDelegate next, ManagerOptions options, ILogger<BearerAuthMiddleware> logger)
{
    private const string Scheme = "Bearer ";
    private readonly byte[] _expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.RestApiKey));

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (options.InsecureNoAuth
            || context.GetEndpoint() is not { } endpoint
            || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
            || IsAuthorized(context.Request.Headers.Authorization.ToString()))
        {
            return next(context);
        }

        Log.AuthenticationFailed(logger, context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress?.ToString() ?? "");
        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return ApiResults.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "missing or invalid API key: send Authorization: Bearer <key>");
    }

    private bool IsAuthorized(string header)
    {
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expectedHash);
    }
}
