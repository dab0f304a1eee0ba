using Propeller.Broker.Credentials;

namespace Propeller.Broker.Provisioning;

/// <summary>Everything <see cref="Provisioner.Provision"/> created; all entities may publish and subscribe on the channel.</summary>
internal sealed record ProvisionResult(
    Tenant Tenant,
    Channel Channel,
    ProvisionedEntity Manager,
    IReadOnlyList<ProvisionedEntity> Proplets,
    ProvisionedEntity? Proxy);
