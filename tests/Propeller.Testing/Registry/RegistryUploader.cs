using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Propeller.Testing.Registry;

/// <summary>
/// Plants blobs and manifests with plain HTTP (a monolithic blob upload, a manifest PUT), so tests can put crafted
/// content in the registry without going through the code under test.
/// </summary>
internal sealed class RegistryUploader(HttpClient http, Func<string, AuthenticationHeaderValue?> authorize)
{
    /// <summary>The registry's <c>http://host:port</c>; set once the port is known.</summary>
    public string BaseUrl { get; set; } = "";

    public async Task<string> PutBlobAsync(string repository, byte[] bytes)
    {
        var digest = Digest(bytes);
        using var start = Request(HttpMethod.Post, new Uri($"{BaseUrl}/v2/{repository}/blobs/uploads/"), repository);
        using var started = await http.SendAsync(start);
        await EnsureAsync(started, HttpStatusCode.Accepted, $"starting a blob upload to {repository}");
        var location = started.Headers.Location
            ?? throw new InvalidOperationException($"the registry started an upload to {repository} without a Location");
        var upload = location.IsAbsoluteUri ? location : new Uri(new Uri(BaseUrl), location);
        var separator = upload.Query.Length > 0 ? "&" : "?";
        using var put = Request(HttpMethod.Put, new Uri($"{upload}{separator}digest={Uri.EscapeDataString(digest)}"), repository);
        put.Content = new ByteArrayContent(bytes);
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await http.SendAsync(put);
        await EnsureAsync(done, HttpStatusCode.Created, $"uploading blob {digest} to {repository}");
        return digest;
    }

    public async Task<string> PutManifestAsync(string repository, string reference, string mediaType, byte[] json)
    {
        using var put = Request(HttpMethod.Put, new Uri($"{BaseUrl}/v2/{repository}/manifests/{reference}"), repository);
        put.Content = new ByteArrayContent(json);
        put.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var done = await http.SendAsync(put);
        await EnsureAsync(done, HttpStatusCode.Created, $"putting manifest {repository}:{reference}");
        return done.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : Digest(json);
    }

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private HttpRequestMessage Request(HttpMethod method, Uri uri, string repository) =>
        new(method, uri) { Headers = { Authorization = authorize(repository) } };

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{what}: the registry answered {(int)response.StatusCode} {response.StatusCode}: {body}");
        }
    }
}
