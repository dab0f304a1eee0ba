namespace Propeller.Broker.Credentials;

/// <summary>An entity together with its API key in clear. The key exists only here: the store keeps a hash.</summary>
internal sealed record IssuedCredentials(Entity Entity, string ApiKey)
{
    // Records print every property; keep the key out of logs and exception messages.
    public override string ToString() => $"IssuedCredentials {{ Entity = {Entity}, ApiKey = *** }}";
}
