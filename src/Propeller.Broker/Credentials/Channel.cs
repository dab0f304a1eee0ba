namespace Propeller.Broker.Credentials;

/// <summary>A message scope inside a tenant: the <c>{channel}</c> segment of <c>m/{tenant}/c/{channel}/...</c>.</summary>
internal sealed record Channel(string Id, string Name, string TenantId, DateTimeOffset CreatedAt);
