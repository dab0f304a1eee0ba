namespace Propeller.Broker.Credentials;

/// <summary>What a grant allows on a channel.</summary>
[Flags]
internal enum ChannelPermissions
{
    None = 0,
    Publish = 1,
    Subscribe = 2,
    PublishSubscribe = Publish | Subscribe,
}
