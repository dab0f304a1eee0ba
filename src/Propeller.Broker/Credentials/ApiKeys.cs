using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Propeller.Broker.Credentials;

/// <summary>Creates API keys and checks them against their stored hash.</summary>
internal static class ApiKeys
{
    public const string Algorithm = "pbkdf2-sha256";

    // Keys are 256 random bits, not human passwords: no work factor makes them easier or harder to guess.
    // The hash only stops a leaked store from being usable as credentials, so a modest count keeps a
    // reconnect storm (or a flood of bogus CONNECTs) cheap for the broker.
    public const int Iterations = 10_000;

    private const int KeyBytes = 32;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    // Verifying against this when the entity is unknown makes both failures cost the same time.
    private static readonly KeyHash DummyHash = Hash("unknown-entity");

    /// <summary>A new random key: 32 bytes, base64url without padding (43 characters).</summary>
    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(KeyBytes));

    public static KeyHash Hash(string apiKey)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new KeyHash(Algorithm, Iterations, salt, Derive(apiKey, salt, Iterations));
    }

    /// <summary>Constant-time check of <paramref name="apiKey"/>; with a null hash it burns the same time and fails.</summary>
    public static bool Verify(string apiKey, KeyHash? stored)
    {
        var hash = stored ?? DummyHash;
        if (hash.Algorithm != Algorithm || hash.Iterations < 1 || hash.Salt.Length == 0)
        {
            return false;
        }

        var candidate = Derive(apiKey, hash.Salt, hash.Iterations);
        return CryptographicOperations.FixedTimeEquals(candidate, hash.Hash) && stored is not null;
    }

    /// <summary>SHA-256 of the key: what a login compares once the key has passed <see cref="Verify"/>.</summary>
    public static byte[] Fingerprint(string apiKey) => SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    private static byte[] Derive(string apiKey, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(apiKey), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
}
