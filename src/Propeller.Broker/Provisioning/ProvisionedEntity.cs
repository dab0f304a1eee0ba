using Propeller.Broker.Credentials;

namespace Propeller.Broker.Provisioning;

/// <summary>An entity created by provisioning, with its API key in clear (shown once, written to config.toml).</summary>
internal sealed record ProvisionedEntity(string Id, string Name, EntityRole Role, string ApiKey)
{
    public override string ToString() => $"ProvisionedEntity {{ Id = {Id}, Name = {Name}, Role = {Role}, ApiKey = *** }}";
}
