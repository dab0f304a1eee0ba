using Propeller.Broker.Authorization;
using Propeller.Broker.Credentials;

namespace Propeller.Broker.Tests.Authorization;

public sealed class TopicAuthorizerTests
{
    private static readonly ChannelGrant[] Grants =
    [
        new("t1", "c1", ChannelPermissions.PublishSubscribe),
        new("t1", "pub-only", ChannelPermissions.Publish),
        new("t1", "sub-only", ChannelPermissions.Subscribe),
    ];

    [Theory]
    [InlineData("m/t1/c/c1/control/manager/start", true)]
    [InlineData("m/t1/c/c1/x", true)]
    [InlineData("m/t1/c/pub-only/x", true)]
    [InlineData("m/t1/c/sub-only/x", false)]
    [InlineData("m/t1/c/c1/", false)]
    [InlineData("m/t1/c/c1", false)]
    [InlineData("m/t2/c/c1/x", false)]
    [InlineData("m/t1/c/c2/x", false)]
    [InlineData("m/t1/x/c1/x", false)]
    [InlineData("n/t1/c/c1/x", false)]
    [InlineData("m/t1/c/c1/+", false)]
    [InlineData("m/t1/c/c1/#", false)]
    [InlineData("/m/t1/c/c1/x", false)]
    [InlineData("fl/rounds/next", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void MayPublish_FollowsGrants(string? topic, bool expected) =>
        Assert.Equal(expected, TopicAuthorizer.MayPublish(Grants, topic));

    [Theory]
    [InlineData("m/t1/c/c1/#", true)]
    [InlineData("m/t1/c/c1/+", true)]
    [InlineData("m/t1/c/c1/control/+/x", true)]
    [InlineData("m/t1/c/sub-only/#", true)]
    [InlineData("m/t1/c/pub-only/#", false)]
    [InlineData("#", false)]
    [InlineData("m/#", false)]
    [InlineData("m/+/c/c1/#", false)]
    [InlineData("m/t1/c/+/#", false)]
    [InlineData("m/t1/c/#", false)]
    [InlineData("m/t1/c/c1", false)]
    [InlineData("m/t1/c/c1/", false)]
    [InlineData("m/t1/c/c1/a#", false)]
    [InlineData("m/t1/c/c1/#/x", false)]
    [InlineData("m/t1/c/c1/a+", false)]
    [InlineData("$share/g/m/t1/c/c1/#", false)]
    [InlineData(null, false)]
    public void MaySubscribe_FollowsGrants(string? filter, bool expected) =>
        Assert.Equal(expected, TopicAuthorizer.MaySubscribe(Grants, filter));

    [Fact]
    public void MayPublish_WithoutGrants_IsDenied() =>
        Assert.False(TopicAuthorizer.MayPublish([], "m/t1/c/c1/x"));
}
