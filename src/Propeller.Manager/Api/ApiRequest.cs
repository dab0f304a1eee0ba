using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Errors;

namespace Propeller.Manager.Api;

/// <summary>Reading request bodies, path ids and query parameters; every problem is a 400 with a clear message.</summary>
internal static class ApiRequest
{
    public const ulong DefaultLimit = 100;

    /// <summary>
    /// Reads a JSON object body. The content type must contain <c>application/json</c>; the size cap is enforced
    /// by the server (413).
    /// </summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType?.Contains("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            throw new InvalidRequestException("unsupported content type: expected application/json");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        try
        {
            return PropellerJson.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), typeInfo);
        }
        catch (JsonException ex)
        {
            throw new InvalidRequestException($"invalid JSON body: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Reads a JSON object body that may be left out: an empty body gives null, and only a body that is present
    /// must carry a JSON content type.
    /// </summary>
    public static async Task<T?> ReadOptionalJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return null;
        }

        if (request.ContentType?.Contains("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            throw new InvalidRequestException("unsupported content type: expected application/json");
        }

        try
        {
            return PropellerJson.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), typeInfo);
        }
        catch (JsonException ex)
        {
            throw new InvalidRequestException($"invalid JSON body: {ex.Message}", ex);
        }
    }

    /// <summary>The id of a route that requires a UUID.</summary>
    public static string Uuid(string? id, string what)
    {
        var value = NonEmpty(id, what);
        return Guid.TryParse(value, out _) ? value : throw new InvalidRequestException($"invalid {what} id '{value}': not a UUID");
    }

    public static string NonEmpty(string? id, string what) =>
        string.IsNullOrWhiteSpace(id) ? throw new InvalidRequestException($"missing {what} id") : id;

    /// <summary><c>offset</c> (default 0) and <c>limit</c> (default 100) as unsigned decimal integers.</summary>
    public static (ulong Offset, ulong Limit) Paging(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (Unsigned(request, "offset", 0), Unsigned(request, "limit", DefaultLimit));
    }

    public static string? Query(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Query[name];
        return values.Count == 0 ? null : values[0];
    }

    /// <summary>The <c>metadata</c> filter: one URL-encoded JSON object, or none.</summary>
    public static IReadOnlyDictionary<string, JsonElement>? MetadataFilter(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Query["metadata"];
        if (values.Count > 1)
        {
            throw new InvalidRequestException("metadata may be given only once");
        }

        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return null;
        }

        try
        {
            return PropellerJson.Parse(System.Text.Encoding.UTF8.GetBytes(values[0]!), PropellerJsonContext.Default.DictionaryStringJsonElement);
        }
        catch (JsonException ex)
        {
            throw new InvalidRequestException($"invalid metadata filter: {ex.Message}", ex);
        }
    }

    private static ulong Unsigned(HttpRequest request, string name, ulong fallback)
    {
        var text = Query(request, name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidRequestException($"invalid {name} '{text}': expected an unsigned integer");
    }
}
