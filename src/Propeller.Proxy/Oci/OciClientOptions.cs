namespace Propeller.Proxy.Oci;

/// <summary>How the OCI client reaches registries. Skeleton: the OCI helper owns it.</summary>
internal sealed class OciClientOptions
{
    /// <summary>Credentials per registry host; other hosts are used anonymously.</summary>
    public IReadOnlyList<OciCredential> Credentials { get; init; } = [];

    /// <summary>Hosts (<c>host[:port]</c>) that may be reached over plain HTTP besides loopback ones.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>Time limit of one HTTP request to a registry.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
