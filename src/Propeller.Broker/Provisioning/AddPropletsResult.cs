namespace Propeller.Broker.Provisioning;

/// <summary>The proplets added to a config.toml and how many it lists now.</summary>
internal sealed record AddPropletsResult(IReadOnlyList<ConfigSection> Added, int Total);
