namespace Propeller.Proxy.Oci;

/// <summary>
/// Credentials bound to one registry host (<c>host[:port]</c>): basic (username + password, preferred when both are
/// set) or a static bearer token. They are used for the token flow the registry's challenge asks for.
/// </summary>
internal sealed record OciCredential(string Registry, string? Username, string? Password, string? Token);
