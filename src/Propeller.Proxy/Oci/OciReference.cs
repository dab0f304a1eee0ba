using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Propeller.Proxy.Oci;

/// <summary>
/// A parsed OCI reference <c>registry[:port]/repository[:tag][@sha256:hex]</c>, following Docker's rules: a first path
/// segment without <c>.</c> or <c>:</c> that is not <c>localhost</c> is part of the repository on <c>docker.io</c>,
/// and a single-segment repository there lives under <c>library/</c>. <see cref="ToString"/> prints the canonical
/// form, which parses back to an equal reference.
/// </summary>
internal sealed record OciReference(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>The registry name Docker Hub references normalise to.</summary>
    public const string DockerHub = "docker.io";

    /// <summary>The host that serves Docker Hub's distribution API.</summary>
    public const string DockerHubApiHost = "registry-1.docker.io";

    private const int MaxNameLength = 255;
    private const int MaxTagLength = 128;
    private const int Sha256HexLength = 64;

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    /// <summary>What the manifest endpoint is asked for: the digest when present (it wins over the tag), else the tag, else <c>latest</c>.</summary>
    public string ManifestReference => Digest ?? Tag ?? "latest";

    /// <summary>The <c>host[:port]</c> whose <c>/v2/</c> API serves this reference (<c>docker.io</c> is served by <c>registry-1.docker.io</c>).</summary>
    public string ApiHost => Registry == DockerHub ? DockerHubApiHost : Registry;

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong and nothing is thrown.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out OciReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "OCI reference is empty";
            return false;
        }

        if (text.Any(char.IsWhiteSpace))
        {
            error = $"invalid OCI reference '{text}': it contains whitespace";
            return false;
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            error = $"invalid OCI reference '{text}': write registry/repository[:tag][@digest] without a URL scheme";
            return false;
        }

        var name = text;
        string? digest = null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = text[(at + 1)..];
            name = text[..at];
            if (!IsSha256Digest(digest))
            {
                error = $"invalid digest '{digest}' in OCI reference '{text}': expected sha256: followed by 64 lowercase hex digits";
                return false;
            }
        }

        string? tag = null;
        var lastSlash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!IsTag(tag))
            {
                error = $"invalid tag '{tag}' in OCI reference '{text}': a tag is 1-128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'";
                return false;
            }
        }

        if (name.Length == 0)
        {
            error = $"invalid OCI reference '{text}': the repository name is missing";
            return false;
        }

        var (registry, repository) = SplitRegistry(name);
        if (registry.Length == 0 || !IsRegistryHost(registry))
        {
            error = $"invalid registry '{registry}' in OCI reference '{text}': expected host[:port]";
            return false;
        }

        if (registry is "index.docker.io" or DockerHubApiHost)
        {
            registry = DockerHub;
        }

        if (registry == DockerHub && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = "library/" + repository;
        }

        if (repository.Any(char.IsUpper))
        {
            error = $"invalid repository '{repository}' in OCI reference '{text}': repository names must be lowercase";
            return false;
        }

        if (!IsRepository(repository))
        {
            error = $"invalid repository '{repository}' in OCI reference '{text}': path components are lowercase letters and digits, separated by '.', '_', '__' or '-'";
            return false;
        }

        if (registry.Length + 1 + repository.Length > MaxNameLength)
        {
            error = $"invalid OCI reference '{text}': the repository name is longer than {MaxNameLength} characters";
            return false;
        }

        reference = new OciReference(registry, repository, tag, digest);
        error = null;
        return true;
    }

    /// <summary>Parses <paramref name="text"/> or throws an <see cref="OciRegistryException"/> with the parse error.</summary>
    public static OciReference Parse(string text) =>
        TryParse(text, out var reference, out var error) ? reference : throw new OciRegistryException(error);

    /// <summary>The same repository on the same registry, addressed by <paramref name="digest"/> (the tag is kept for display).</summary>
    public OciReference WithDigest(string digest) => this with { Digest = digest };

    /// <summary>The canonical text: <c>registry/repository[:tag][@digest]</c>.</summary>
    public override string ToString()
    {
        var text = Registry + "/" + Repository;
        if (Tag is not null)
        {
            text += ":" + Tag;
        }

        if (Digest is not null)
        {
            text += "@" + Digest;
        }

        return text;
    }

    /// <summary>True for <c>sha256:</c> followed by exactly 64 lowercase hex digits.</summary>
    public static bool IsSha256Digest(string digest) =>
        digest.Length == "sha256:".Length + Sha256HexLength
        && digest.StartsWith("sha256:", StringComparison.Ordinal)
        && !digest.AsSpan("sha256:".Length).ContainsAnyExcept(LowerHex);

    // Docker's rule: the first segment names a registry only when it looks like a host (has '.' or ':', is
    // localhost, or has upper case, which repositories never do); otherwise the whole name is a Docker Hub repository.
    private static (string Registry, string Repository) SplitRegistry(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (DockerHub, name);
        }

        var first = name[..slash];
        var isHost = first.Contains('.', StringComparison.Ordinal)
            || first.Contains(':', StringComparison.Ordinal)
            || first == "localhost"
            || first.Any(char.IsUpper);
        return isHost ? (first.ToLowerInvariant(), name[(slash + 1)..]) : (DockerHub, name);
    }

    private static bool IsRegistryHost(string registry)
    {
        string host;
        string? port = null;
        if (registry.StartsWith('['))
        {
            var close = registry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !System.Net.IPAddress.TryParse(registry[1..close], out _))
            {
                return false;
            }

            var rest = registry[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return false;
                }

                port = rest[1..];
            }

            return port is null || IsPort(port);
        }

        var colon = registry.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            host = registry[..colon];
            port = registry[(colon + 1)..];
        }
        else
        {
            host = registry;
        }

        if (host.Length == 0 || host.Length > 253 || (port is not null && !IsPort(port)))
        {
            return false;
        }

        foreach (var label in host.Split('.'))
        {
            if (label.Length == 0 || label.Length > 63 || label[0] == '-' || label[^1] == '-'
                || label.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPort(string port) =>
        port.Length is > 0 and <= 5
        && port.All(char.IsAsciiDigit)
        && int.Parse(port, CultureInfo.InvariantCulture) is > 0 and <= 65535;

    private static bool IsTag(string tag) =>
        tag.Length is > 0 and <= MaxTagLength
        && (char.IsAsciiLetterOrDigit(tag[0]) || tag[0] == '_')
        && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    // Each component: [a-z0-9]+ runs joined by one separator: '.', '_', '__' or a run of '-'.
    private static bool IsRepository(string repository)
    {
        foreach (var component in repository.Split('/'))
        {
            var i = 0;
            while (true)
            {
                if (i >= component.Length || !IsLowerAlnum(component[i]))
                {
                    return false;
                }

                while (i < component.Length && IsLowerAlnum(component[i]))
                {
                    i++;
                }

                if (i == component.Length)
                {
                    break;
                }

                switch (component[i])
                {
                    case '.':
                        i++;
                        break;
                    case '_':
                        i += i + 1 < component.Length && component[i + 1] == '_' ? 2 : 1;
                        break;
                    case '-':
                        while (i < component.Length && component[i] == '-')
                        {
                            i++;
                        }

                        break;
                    default:
                        return false;
                }
            }
        }

        return true;
    }

    private static bool IsLowerAlnum(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c);
}
