using System.Text.Json.Serialization;

namespace Propeller.Broker.Credentials;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(CredentialDocument))]
internal sealed partial class CredentialJsonContext : JsonSerializerContext;
