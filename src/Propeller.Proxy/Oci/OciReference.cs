namespace Propeller.Proxy.Oci;

/// <summary>
/// A parsed OCI reference <c>registry[:port]/repository[:tag][@sha256:hex]</c>. Skeleton: the OCI helper owns it.
/// </summary>
internal sealed record OciReference(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>What the manifest endpoint is asked for: the digest when present (it wins over the tag), else the tag, else <c>latest</c>.</summary>
    public string ManifestReference => Digest ?? Tag ?? "latest";

    public static bool TryParse(string text, out OciReference? reference, out string? error) => throw new NotImplementedException();
}
