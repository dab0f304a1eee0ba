using System.Text.Json.Serialization;

namespace Propeller.Broker.Credentials;

/// <summary>What an entity is for; informational, the ACL is given by grants alone.</summary>
internal enum EntityRole
{
    [JsonStringEnumMemberName("manager")]
    Manager,

    [JsonStringEnumMemberName("proplet")]
    Proplet,

    [JsonStringEnumMemberName("proxy")]
    Proxy,
}
