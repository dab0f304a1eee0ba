using System.Text.Json.Serialization;

namespace Propeller.Proxy.Oci;

/// <summary>Source-generated JSON for the registry documents (manifests, indexes, errors, tokens).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(OciManifestDocument))]
[JsonSerializable(typeof(OciErrorDocument))]
[JsonSerializable(typeof(OciTokenDocument))]
internal sealed partial class OciJsonContext : JsonSerializerContext
{
}

/// <summary>An image manifest or an image index (Docker v2 manifests and manifest lists share the shape).</summary>
internal sealed record OciManifestDocument
{
    public int SchemaVersion { get; init; }

    public string? MediaType { get; init; }

    public string? ArtifactType { get; init; }

    public OciDescriptorDocument? Config { get; init; }

    public IReadOnlyList<OciDescriptorDocument>? Layers { get; init; }

    /// <summary>Only in an index: the child manifests.</summary>
    public IReadOnlyList<OciDescriptorDocument>? Manifests { get; init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

/// <summary>A descriptor as it appears in JSON, with the optional fields the public <see cref="OciDescriptor"/> omits.</summary>
internal sealed record OciDescriptorDocument
{
    public string? MediaType { get; init; }

    public string? Digest { get; init; }

    public long Size { get; init; }

    public OciPlatformDocument? Platform { get; init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

internal sealed record OciPlatformDocument
{
    public string? Os { get; init; }

    public string? Architecture { get; init; }

    public string? Variant { get; init; }
}

/// <summary>The distribution spec's error body <c>{"errors":[{"code","message","detail"}]}</c>.</summary>
internal sealed record OciErrorDocument
{
    public IReadOnlyList<OciErrorEntry>? Errors { get; init; }
}

internal sealed record OciErrorEntry
{
    public string? Code { get; init; }

    public string? Message { get; init; }
}

/// <summary>A token service's answer; Docker's uses <c>token</c>, OAuth2-style ones <c>access_token</c>.</summary>
internal sealed record OciTokenDocument
{
    [JsonPropertyName("token")]
    public string? Token { get; init; }

    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("expires_in")]
    public int? ExpiresIn { get; init; }
}
