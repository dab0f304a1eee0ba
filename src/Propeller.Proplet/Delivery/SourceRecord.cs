namespace Propeller.Proplet.Delivery;

/// <summary>
/// What the proplet last obtained for one image URL: the hex sha256 of the binary, and for HTTP the validators
/// that let the next download be a conditional GET.
/// </summary>
internal sealed record SourceRecord(string Digest, string? ETag = null, DateTimeOffset? LastModified = null);
