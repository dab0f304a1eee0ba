namespace Propeller.Manager.Api;

/// <summary>
/// How a task's Wasm binary appears in API responses (manager-reference §1.4): short base64 in full, longer as
/// its first and last 10 characters around <c>&lt;REDACTED&gt;</c>. The binary is never downloadable.
/// </summary>
internal static class FileRedaction
{
    public const string Marker = "<REDACTED>";
    private const int Keep = 10;

    public static string? Redact(byte[]? file)
    {
        if (file is not { Length: > 0 })
        {
            return null;
        }

        var base64 = Convert.ToBase64String(file);
        return base64.Length <= 2 * Keep ? base64 : string.Concat(base64.AsSpan(0, Keep), Marker, base64.AsSpan(base64.Length - Keep));
    }
}
