using System.Text;
using System.Text.Json;

namespace Propeller.Proplet.Tests.Support;

/// <summary>Manager commands shaped exactly as the Go manager marshals them (field order, always-present fields).</summary>
internal static class Payloads
{
    /// <summary>
    /// A <c>control/manager/start</c> payload. <paramref name="inputs"/> and <paramref name="env"/> are raw JSON
    /// (e.g. <c>["10","20"]</c>), so tests can also send numbers.
    /// </summary>
    public static string Start(
        string id,
        string name,
        byte[]? wasm,
        string[]? inputs = null,
        string? propletId = null,
        bool daemon = false,
        bool broadcast = false,
        bool latent = false,
        bool encrypted = false,
        string? imageUrl = null,
        string? file = null,
        string? env = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("name", name);
            json.WriteNumber("state", 0);
            if (imageUrl is not null)
            {
                json.WriteString("image_url", imageUrl);
            }

            if ((file ?? (wasm is null ? null : Convert.ToBase64String(wasm))) is { } base64)
            {
                json.WriteString("file", base64);
            }

            if (inputs is not null)
            {
                json.WritePropertyName("inputs");
                json.WriteStartArray();
                foreach (var input in inputs)
                {
                    json.WriteRawValue(input);
                }

                json.WriteEndArray();
            }

            json.WriteNull("cli_args");
            json.WriteBoolean("broadcast", broadcast);
            json.WriteBoolean("daemon", daemon);
            json.WriteBoolean("latent", latent);
            json.WriteBoolean("encrypted", encrypted);
            if (env is not null)
            {
                json.WritePropertyName("env");
                json.WriteRawValue(env);
            }

            if (propletId is not null)
            {
                json.WriteString("proplet_id", propletId);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
