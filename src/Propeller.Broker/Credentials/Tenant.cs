namespace Propeller.Broker.Credentials;

/// <summary>A namespace of entities and channels: the <c>{tenant}</c> segment of <c>m/{tenant}/c/{channel}/...</c>.</summary>
internal sealed record Tenant(string Id, string Name, DateTimeOffset CreatedAt);
