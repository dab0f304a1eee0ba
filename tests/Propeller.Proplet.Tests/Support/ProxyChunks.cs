using System.Security.Cryptography;
using System.Text.Json;

namespace Propeller.Proplet.Tests.Support;

/// <summary><c>registry/server</c> and <c>registry/status</c> payloads as the proxy publishes them.</summary>
internal static class ProxyChunks
{
    /// <summary><c>sha256:&lt;hex&gt;</c> of <paramref name="bytes"/>.</summary>
    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary><paramref name="bytes"/> cut into <paramref name="count"/> nearly equal pieces.</summary>
    public static byte[][] Split(byte[] bytes, int count)
    {
        var size = (bytes.Length + count - 1) / count;
        return Enumerable.Range(0, count).Select(i => bytes.Skip(i * size).Take(size).ToArray()).ToArray();
    }

    public static string Chunk(string appName, int index, int total, byte[] data, string? digest = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["app_name"] = appName,
            ["chunk_idx"] = index,
            ["total_chunks"] = total,
            ["data"] = Convert.ToBase64String(data),
            ["digest"] = digest,
        }.Where(p => p.Value is not null).ToDictionary());

    public static string Error(string appName, string error) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["app_name"] = appName, ["error"] = error });

    public static string Unchanged(string appName, string digest) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["app_name"] = appName, ["digest"] = digest, ["unchanged"] = true });
}
