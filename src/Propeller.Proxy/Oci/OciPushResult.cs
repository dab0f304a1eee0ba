namespace Propeller.Proxy.Oci;

/// <summary>What <see cref="OciRegistryClient.PushWasmAsync"/> stored: the manifest digest and the Wasm layer.</summary>
internal sealed record OciPushResult(OciReference Reference, string ManifestDigest, OciDescriptor Layer);
