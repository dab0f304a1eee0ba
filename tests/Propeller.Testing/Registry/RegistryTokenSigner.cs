using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Propeller.Testing.Registry;

/// <summary>One repository grant in a registry token: <c>{"type":"repository","name":..., "actions":[...]}</c>.</summary>
internal sealed record RegistryAccess(string Type, string Name, IReadOnlyList<string> Actions);

/// <summary>
/// Issues the RS256 JWTs that Docker distribution's token auth accepts. The signing key's self-signed certificate
/// is the registry's <c>rootcertbundle</c>, and each token carries that certificate in its <c>x5c</c> header, so the
/// registry finds the key by verifying the one-element chain against its root bundle.
/// </summary>
internal sealed class RegistryTokenSigner : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly RSA _key;
    private readonly X509Certificate2 _certificate;
    private readonly string _encodedHeader;

    public RegistryTokenSigner(string issuer, string service)
    {
        Issuer = issuer;
        Service = service;
        _key = RSA.Create(2048);
        var request = new CertificateRequest("CN=propeller-test-token-issuer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        // Backdated a little: the registry checks the certificate's validity against its own clock.
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        CertificatePem = _certificate.ExportCertificatePem();
        _encodedHeader = Base64Url(WriteJson(w =>
        {
            w.WriteString("typ", "JWT");
            w.WriteString("alg", "RS256");
            w.WriteStartArray("x5c");
            w.WriteStringValue(Convert.ToBase64String(_certificate.RawData));
            w.WriteEndArray();
        }));
    }

    public string Issuer { get; }

    public string Service { get; }

    /// <summary>The certificate to list in the registry's <c>rootcertbundle</c>.</summary>
    public string CertificatePem { get; }

    public static int ExpiresInSeconds => (int)Lifetime.TotalSeconds;

    /// <summary>A signed token for <paramref name="subject"/> granting <paramref name="access"/>.</summary>
    public string CreateToken(string subject, IReadOnlyList<RegistryAccess> access, DateTimeOffset issuedAt)
    {
        var claims = Base64Url(WriteJson(w =>
        {
            w.WriteString("iss", Issuer);
            w.WriteString("sub", subject);
            w.WriteString("aud", Service);
            w.WriteNumber("exp", (issuedAt + Lifetime).ToUnixTimeSeconds());
            // nbf a little in the past absorbs clock rounding between this process and the registry.
            w.WriteNumber("nbf", issuedAt.AddSeconds(-10).ToUnixTimeSeconds());
            w.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            w.WriteString("jti", Guid.NewGuid().ToString("N"));
            w.WriteStartArray("access");
            foreach (var grant in access)
            {
                w.WriteStartObject();
                w.WriteString("type", grant.Type);
                w.WriteString("name", grant.Name);
                w.WriteStartArray("actions");
                foreach (var action in grant.Actions)
                {
                    w.WriteStringValue(action);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }));
        var signingInput = _encodedHeader + "." + claims;
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _key.Dispose();
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
