namespace Propeller.Proxy.Oci;

/// <summary>How the OCI client reaches registries.</summary>
internal sealed class OciClientOptions
{
    /// <summary>Credentials per registry host; other hosts are used anonymously.</summary>
    public IReadOnlyList<OciCredential> Credentials { get; init; } = [];

    /// <summary>
    /// Hosts that may be reached over plain HTTP besides loopback ones: <c>host:port</c> matches that host and port,
    /// <c>host</c> matches the host on any port (see <see cref="OciEndpoint.SchemeFor"/>).
    /// </summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>Time limit of one HTTP request to a registry (for a blob download: of each read of its body).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
