using System.Net;
using System.Text;
using System.Text.Json;

namespace Propeller.Proxy.Oci;

/// <summary>Builds the parts of error messages that quote what the registry said.</summary>
internal static class RegistryErrorText
{
    // Error bodies are short; a larger one is cut so a hostile server cannot fill memory or the task's error.
    private const int MaxErrorBody = 64 * 1024;
    private const int MaxQuotedText = 300;

    /// <summary><c>401 Unauthorized</c>.</summary>
    public static string Status(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {(string.IsNullOrEmpty(response.ReasonPhrase) ? response.StatusCode.ToString() : response.ReasonPhrase)}";

    /// <summary>
    /// <c> (CODE: message)</c> from the distribution error body <c>{"errors":[{"code","message"}]}</c>, or a token
    /// service's <c>details</c>/<c>error_description</c>, or a short plain-text body; empty when there is nothing useful.
    /// </summary>
    public static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = await ReadPrefixAsync(response.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return "";
        }

        return body.Length == 0 ? "" : FromJson(body) ?? FromText(body);
    }

    private static string? FromJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            // Valid JSON that says nothing useful is left out rather than quoted raw.
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "";
            }

            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                var code = StringOf(first, "code");
                var message = StringOf(first, "message");
                return code is null && message is null ? "" : $" ({Join(code, message)})";
            }

            var details = StringOf(root, "details") ?? StringOf(root, "error_description") ?? StringOf(root, "message") ?? StringOf(root, "error");
            return details is null ? "" : $" ({Cut(details)})";
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string FromText(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length == 0 || text.StartsWith('<') || text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            return "";
        }

        return $" ({Cut(text.ReplaceLineEndings(" "))})";
    }

    private static string Join(string? code, string? message) =>
        code is null ? Cut(message!) : message is null ? code : $"{code}: {Cut(message)}";

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static string Cut(string text) => text.Length <= MaxQuotedText ? text : text[..MaxQuotedText] + "…";

    private static async Task<byte[]> ReadPrefixAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxErrorBody];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return buffer[..total];
    }

    /// <summary>True for 401 and 403, the statuses that mean "not with these credentials".</summary>
    public static bool IsDenied(HttpStatusCode status) => status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}
