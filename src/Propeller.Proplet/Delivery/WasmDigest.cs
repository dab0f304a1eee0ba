using System.Security.Cryptography;

namespace Propeller.Proplet.Delivery;

/// <summary>The <c>sha256:&lt;hex&gt;</c> digests of the wire and the bare lower-case hex the binary cache is keyed by.</summary>
internal static class WasmDigest
{
    public const string Prefix = "sha256:";

    /// <summary>Lower-case hex sha256 of <paramref name="bytes"/>.</summary>
    public static string HexOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary><c>sha256:&lt;hex&gt;</c> for a hex digest.</summary>
    public static string ToWire(string hex) => Prefix + hex;

    /// <summary>The lower-case hex of a well-formed <c>sha256:&lt;64 hex&gt;</c>, else null.</summary>
    public static string? HexFromWire(string? digest)
    {
        if (digest is null || !digest.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var hex = digest[Prefix.Length..];
        return IsHex(hex) ? hex.ToLowerInvariant() : null;
    }

    /// <summary>64 hex digits: a sha256 the cache could hold.</summary>
    public static bool IsHex(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    /// <summary>
    /// An OCI reference pinned by digest (<c>repo@sha256:&lt;hex&gt;</c>) never changes what it names, so a binary
    /// once fetched for it can be reused without asking the proxy.
    /// </summary>
    public static bool IsPinnedReference(string reference)
    {
        var at = reference.LastIndexOf('@');
        return at > 0 && HexFromWire(reference[(at + 1)..]) is not null;
    }
}
