namespace Propeller.Testing.Registry;

/// <summary>How a <see cref="RegistryProcess"/> authenticates its clients.</summary>
public enum RegistryAuthMode
{
    /// <summary>No authentication: every request is served.</summary>
    Anonymous,

    /// <summary>HTTP Basic against an htpasswd file with bcrypt entries.</summary>
    Basic,

    /// <summary>Docker token auth: a Bearer challenge naming the fixture's own token server.</summary>
    Token,
}
