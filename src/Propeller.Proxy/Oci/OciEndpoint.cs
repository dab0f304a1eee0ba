using System.Net;

namespace Propeller.Proxy.Oci;

/// <summary>
/// Where a registry's API lives. The scheme is HTTPS, except plain HTTP for loopback hosts (<c>localhost</c>,
/// <c>127.0.0.0/8</c>, <c>::1</c>) and for hosts listed in <see cref="OciClientOptions.InsecureRegistries"/>. An
/// insecure entry <c>host:port</c> matches exactly that host and port; an entry without a port matches the host on
/// any port; a leading <c>http://</c> or <c>https://</c> and a trailing <c>/</c> are ignored, case is ignored.
/// </summary>
internal static class OciEndpoint
{
    /// <summary><c>http</c> or <c>https</c> for <paramref name="host"/> (<c>host[:port]</c>) under the rule above.</summary>
    public static string SchemeFor(string host, IReadOnlyList<string> insecureRegistries)
    {
        ArgumentNullException.ThrowIfNull(insecureRegistries);
        return IsLoopback(host) || IsListedInsecure(host, insecureRegistries) ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
    }

    /// <summary>The API root (<c>scheme://host[:port]/</c>) of the registry behind <paramref name="reference"/>.</summary>
    public static Uri BaseUri(OciReference reference, IReadOnlyList<string> insecureRegistries) =>
        new($"{SchemeFor(reference.ApiHost, insecureRegistries)}://{reference.ApiHost}/");

    /// <summary>True for <c>localhost</c>, any <c>127.x.x.x</c> and <c>::1</c>, with or without a port.</summary>
    public static bool IsLoopback(string host)
    {
        var name = HostWithoutPort(host);
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>
    /// The registry name a credential or insecure entry means: scheme, path and case dropped, and Docker Hub's
    /// aliases (<c>index.docker.io</c>, <c>registry-1.docker.io</c>) folded into <c>docker.io</c>.
    /// </summary>
    public static string NormalizeRegistry(string registry)
    {
        var text = registry.Trim();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            text = text[(scheme + 3)..];
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            text = text[..slash];
        }

        text = text.ToLowerInvariant();
        return text is "index.docker.io" or OciReference.DockerHubApiHost ? OciReference.DockerHub : text;
    }

    private static bool IsListedInsecure(string host, IReadOnlyList<string> insecureRegistries)
    {
        var wanted = host.ToLowerInvariant();
        var wantedName = HostWithoutPort(wanted);
        foreach (var entry in insecureRegistries)
        {
            var normalized = NormalizeRegistry(entry);
            if (normalized.Length == 0)
            {
                continue;
            }

            var entryHasPort = HostWithoutPort(normalized).Length != normalized.Length;
            if (normalized == wanted
                || (!entryHasPort && normalized == wantedName)
                || (normalized == OciReference.DockerHub && wanted == OciReference.DockerHubApiHost))
            {
                return true;
            }
        }

        return false;
    }

    // "[::1]:5000" → "::1", "host:5000" → "host", "::1" (bare IPv6) stays.
    private static string HostWithoutPort(string host)
    {
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? host[1..close] : host;
        }

        var colon = host.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && colon == host.LastIndexOf(':') ? host[..colon] : host;
    }
}
