namespace Propeller.Broker.Credentials;

/// <summary>A salted PBKDF2-SHA256 hash of an API key, as persisted.</summary>
internal sealed record KeyHash(string Algorithm, int Iterations, byte[] Salt, byte[] Hash);
