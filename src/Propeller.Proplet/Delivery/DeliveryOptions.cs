namespace Propeller.Proplet.Delivery;

/// <summary>How the proplet obtains a task's Wasm over HTTP(S) and through the proxy, and how much of it it keeps.</summary>
internal sealed record DeliveryOptions
{
    /// <summary>100 MiB, the original's cap on an HTTP download.</summary>
    public const long DefaultMaxBinaryBytes = 104_857_600;

    public const long DefaultBinaryCacheBytes = 256L * 1024 * 1024;

    public const int DefaultIndexEntries = 1024;

    /// <summary>Whole-request limit of an HTTP(S) download: connect, headers and body.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>PEM file of CA certificates trusted for HTTPS downloads in addition to the system roots.</summary>
    public string? HttpTlsCaCert { get; init; }

    /// <summary>Accept any server certificate on HTTPS downloads.</summary>
    public bool HttpTlsInsecureSkipVerify { get; init; }

    /// <summary>Largest binary accepted from any source: an HTTP body, or the chunks of one proxy delivery.</summary>
    public long MaxBinaryBytes { get; init; } = DefaultMaxBinaryBytes;

    /// <summary>How long a task waits for the proxy's chunks (or status) before it fails.</summary>
    public TimeSpan ChunkTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>An incomplete chunk assembly older than this is discarded by the sweep.</summary>
    public TimeSpan AssemblyMaxAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Period of the sweep that discards stale assemblies.</summary>
    public TimeSpan AssemblySweepInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Bytes of fetched binaries kept on disk; 0 turns the binary cache off.</summary>
    public long BinaryCacheBytes { get; init; } = DefaultBinaryCacheBytes;

    /// <summary>Directory of the binary cache; null keeps no binaries.</summary>
    public string? BinaryCacheDirectory { get; init; }

    /// <summary>Image URLs remembered with their digest and HTTP validators, most recently used first.</summary>
    public int IndexEntries { get; init; } = DefaultIndexEntries;
}
