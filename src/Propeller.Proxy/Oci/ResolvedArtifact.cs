namespace Propeller.Proxy.Oci;

/// <summary>A reference resolved down to the one layer that holds the Wasm (image indexes already followed).</summary>
internal sealed record ResolvedArtifact(OciReference Reference, string ManifestDigest, OciDescriptor Layer);
