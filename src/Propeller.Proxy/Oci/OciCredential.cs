namespace Propeller.Proxy.Oci;

/// <summary>
/// Credentials bound to one registry (<c>host[:port]</c>; a URL or a Docker Hub alias is normalised): basic
/// (username + password, preferred when both are set), used for Basic challenges and to ask a token service for
/// Bearer tokens; or a static token, sent as <c>Authorization: Bearer &lt;token&gt;</c> without a token request.
/// </summary>
internal sealed record OciCredential(string Registry, string? Username, string? Password, string? Token)
{
    /// <summary>Never prints the password or token, so a logged credential leaks nothing.</summary>
    public override string ToString() =>
        $"OciCredential {{ Registry = {Registry}, Username = {Username}, Password = {(Password is null ? "null" : "***")}, Token = {(Token is null ? "null" : "***")} }}";
}
