using System.Text.Json;

namespace Propeller.Proplet.Tests.Support;

/// <summary>A message the test manager received: its topic below the channel prefix and its JSON payload.</summary>
public sealed record ReceivedMessage(string Suffix, JsonElement Payload, DateTimeOffset ReceivedAt)
{
    public string? Text(string property) =>
        Payload.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public override string ToString() => $"{Suffix} {Payload.GetRawText()}";
}
