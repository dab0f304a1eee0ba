using System.Text;
using System.Text.Json.Nodes;
using Propeller.Testing.Registry;

namespace Propeller.Proxy.Tests.Support;

/// <summary>Valid Wasm modules of an exact size and the OCI manifests that publish them.</summary>
internal static class WasmArtifacts
{
    public const string OciManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string WasmConfigMediaType = "application/vnd.wasm.config.v0+json";
    public const string WasmLayerMediaType = "application/wasm";

    /// <summary>
    /// A module that is just the Wasm header and one custom section named <c>pad</c>, sized so the whole module is
    /// <paramref name="size"/> bytes; <paramref name="seed"/> varies the padding so digests differ.
    /// </summary>
    public static byte[] Module(int size, byte seed = 0)
    {
        var header = new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 };
        var name = "pad"u8.ToArray();
        for (var lebLength = 1; lebLength <= 5; lebLength++)
        {
            var content = size - header.Length - 1 - lebLength;
            if (content < 1 + name.Length || Leb128(content).Length != lebLength)
            {
                continue;
            }

            var module = new byte[size];
            header.CopyTo(module, 0);
            var position = header.Length;
            module[position++] = 0x00;
            Leb128(content).CopyTo(module, position);
            position += lebLength;
            module[position++] = (byte)name.Length;
            name.CopyTo(module, position);
            position += name.Length;
            for (var i = position; i < size; i++)
            {
                module[i] = (byte)((i * 31) + seed);
            }

            return module;
        }

        throw new ArgumentOutOfRangeException(nameof(size), size, "too small for a module with a custom section");
    }

    /// <summary>Uploads <paramref name="layer"/> with a Wasm config and an OCI manifest tagged <paramref name="tag"/>; returns the layer digest.</summary>
    public static async Task<string> PushAsync(RegistryProcess registry, string repository, string tag, byte[] layer)
    {
        var config = "{}"u8.ToArray();
        var configDigest = await registry.PutBlobAsync(repository, config);
        var layerDigest = await registry.PutBlobAsync(repository, layer);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciManifestMediaType,
            ["config"] = new JsonObject { ["mediaType"] = WasmConfigMediaType, ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = WasmLayerMediaType, ["digest"] = layerDigest, ["size"] = layer.Length }),
        };
        await registry.PutManifestAsync(repository, tag, OciManifestMediaType, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        return layerDigest;
    }

    private static byte[] Leb128(int value)
    {
        var bytes = new List<byte>();
        var remaining = (uint)value;
        do
        {
            var b = (byte)(remaining & 0x7f);
            remaining >>= 7;
            bytes.Add(remaining == 0 ? b : (byte)(b | 0x80));
        }
        while (remaining != 0);
        return [.. bytes];
    }
}
