using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Delivery;

/// <summary>
/// HTTPS downloads from a Kestrel server whose certificate is issued by a test CA that the system does not trust.
/// </summary>
public sealed class HttpsDeliveryTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("propeller-https-").FullName;

    [Fact]
    public async Task Https_ServerFromTheConfiguredCa_RunsTheTask()
    {
        var (ca, leaf) = IssueCertificates();
        var caFile = Path.Combine(_directory, "ca.pem");
        await File.WriteAllTextAsync(caFile, ca.ExportCertificatePem());
        await using var server = await WasmHttpServer.StartAsync(leaf);
        var url = server.MapBytes("/add.wasm", ExampleWasm.Add, "application/wasm");
        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            [PropletVariables.HttpTlsCaCert] = caFile,
        });

        Assert.Equal("30", (await HttpDeliveryTests.RunAsync(proplet, "tls", url)).Text("results"));
    }

    [Fact]
    public async Task Https_UntrustedServerWithoutCaOrFlag_FailsTheTask()
    {
        var (_, leaf) = IssueCertificates();
        await using var server = await WasmHttpServer.StartAsync(leaf);
        var url = server.MapBytes("/add.wasm", ExampleWasm.Add, "application/wasm");
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        var error = (await HttpDeliveryTests.RunAsync(proplet, "untrusted", url)).Text("error");

        Assert.StartsWith($"error fetching wasm from {url}: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_InsecureSkipVerify_AcceptsTheServerAndWarnsAtStartup()
    {
        var (_, leaf) = IssueCertificates();
        await using var server = await WasmHttpServer.StartAsync(leaf);
        var url = server.MapBytes("/add.wasm", ExampleWasm.Add, "application/wasm");
        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            [PropletVariables.HttpTlsInsecureSkipVerify] = "true",
        });

        Assert.Contains(proplet.Logs.Entries, e => e.EventId.Id == EventIds.HttpCertificateCheckDisabled);
        Assert.Equal("30", (await HttpDeliveryTests.RunAsync(proplet, "insecure", url)).Text("results"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // A CA and a server certificate for 127.0.0.1 signed by it.
    private static (X509Certificate2 Ca, X509Certificate2 Leaf) IssueCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Propeller Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = leafRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3, 4]);
        var leaf = issued.CopyWithPrivateKey(leafKey);

        // Kestrel on Linux wants a key it can export into its TLS context: round-trip through PKCS#12.
        var reloaded = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pfx), null);
        leaf.Dispose();
        return (ca, reloaded);
    }
}
