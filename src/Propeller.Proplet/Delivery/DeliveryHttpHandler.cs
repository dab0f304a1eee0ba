using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Propeller.Proplet.Delivery;

/// <summary>
/// The one <see cref="SocketsHttpHandler"/> behind every Wasm download. <c>PROPLET_HTTP_TLS_CA_CERT</c> adds its CAs
/// to the system roots (a server passes with either), <c>PROPLET_HTTP_TLS_INSECURE_SKIP_VERIFY</c> accepts any
/// certificate. Host-name checks stay on with a custom CA.
/// </summary>
internal static class DeliveryHttpHandler
{
    private const int MaxRedirects = 10;

    public static SocketsHttpHandler Create(DeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = MaxRedirects,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.HttpTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseCookies = false,
        };
        var insecure = options.HttpTlsInsecureSkipVerify;
        var roots = !insecure && options.HttpTlsCaCert is { } caPath ? LoadCertificates(caPath) : null;
        if (insecure || roots is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                insecure
                || errors == SslPolicyErrors.None
                || (roots is not null
                    && errors == SslPolicyErrors.RemoteCertificateChainErrors
                    && certificate is X509Certificate2 leaf
                    && ChainsToCustomRoot(leaf, chain, roots));
        }

        return handler;
    }

    /// <summary>The certificates of a PEM file; none is an error.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The file holds no usable certificate.</exception>
    public static X509Certificate2Collection LoadCertificates(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        if (certificates.Count == 0)
        {
            throw new System.Security.Cryptography.CryptographicException("no PEM certificate found");
        }

        return certificates;
    }

    private static bool ChainsToCustomRoot(X509Certificate2 leaf, X509Chain? presented, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            // Intermediates the server sent.
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}
