using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Propeller.Broker.Transport;

/// <summary>
/// The TLS listener's identity, loaded from PEM files: the server certificate (the first one in its file), its
/// private key, and any intermediate certificates after it, which are sent along so clients can build the chain.
/// </summary>
internal sealed class TlsServerCertificate : IDisposable
{
    private readonly X509Certificate2Collection _intermediates;
    private readonly SslStreamCertificateContext _context;

    private TlsServerCertificate(X509Certificate2 certificate, X509Certificate2Collection intermediates)
    {
        Certificate = certificate;
        _intermediates = intermediates;

        // offline: never fetch missing intermediates or OCSP responses from the network at start-up.
        _context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Loads the certificate and key; throws when the files hold no certificate, no key, or a key of another certificate.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The PEM contents are unusable.</exception>
    /// <exception cref="ArgumentException">The key file holds no supported private key.</exception>
    public static TlsServerCertificate Load(string certificatePath, string keyPath)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use the ephemeral key a PEM import gives; a PKCS#12 round trip makes it usable.
            using var ephemeral = certificate;
            certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
        }

        var intermediates = new X509Certificate2Collection();
        try
        {
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(certificatePath);
            foreach (var other in all)
            {
                if (other.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                {
                    other.Dispose();
                }
                else
                {
                    intermediates.Add(other);
                }
            }

            return new TlsServerCertificate(certificate, intermediates);
        }
        catch
        {
            Dispose(certificate, intermediates);
            throw;
        }
    }

    /// <summary>Server authentication only, TLS 1.2 or 1.3; clients authenticate with their API key in CONNECT.</summary>
    public SslServerAuthenticationOptions CreateAuthenticationOptions() => new()
    {
        ServerCertificateContext = _context,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ClientCertificateRequired = false,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    public void Dispose() => Dispose(Certificate, _intermediates);

    private static void Dispose(X509Certificate2 certificate, X509Certificate2Collection intermediates)
    {
        foreach (var intermediate in intermediates)
        {
            intermediate.Dispose();
        }

        certificate.Dispose();
    }
}
