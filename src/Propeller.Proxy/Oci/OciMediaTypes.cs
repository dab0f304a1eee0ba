namespace Propeller.Proxy.Oci;

/// <summary>Media types the client sends and recognises.</summary>
internal static class OciMediaTypes
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>Config of a Wasm artifact (the CNCF TAG Runtime Wasm OCI artifact layout).</summary>
    public const string WasmConfig = "application/vnd.wasm.config.v0+json";

    public const string WasmContentLayer = "application/vnd.wasm.content.layer.v1+wasm";
    public const string WasmComponentLayer = "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm";
    public const string Wasm = "application/wasm";

    /// <summary>Layer media types holding raw Wasm, most specific first; such a layer wins over a larger one.</summary>
    public static readonly IReadOnlyList<string> WasmLayers = [WasmContentLayer, WasmComponentLayer, Wasm];

    /// <summary>Everything <c>GET /v2/&lt;name&gt;/manifests/&lt;reference&gt;</c> may answer with.</summary>
    public static readonly IReadOnlyList<string> ManifestAccept = [ImageManifest, ImageIndex, DockerManifest, DockerManifestList];

    public static bool IsIndex(string? mediaType) => mediaType is ImageIndex or DockerManifestList;

    public static bool IsManifest(string? mediaType) => mediaType is ImageManifest or DockerManifest;
}
