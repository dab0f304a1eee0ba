namespace Propeller.Broker.Credentials;

/// <summary>A machine identity. Its id is the MQTT username (and, by convention, the client id).</summary>
internal sealed record Entity(string Id, string Name, EntityRole Role, string TenantId, DateTimeOffset CreatedAt);
