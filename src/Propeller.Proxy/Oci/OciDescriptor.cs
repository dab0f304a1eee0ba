namespace Propeller.Proxy.Oci;

/// <summary>An OCI content descriptor: what a manifest says about a blob or a child manifest.</summary>
internal sealed record OciDescriptor(string MediaType, string Digest, long Size);
