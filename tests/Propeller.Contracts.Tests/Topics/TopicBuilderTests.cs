using Propeller.Contracts.Topics;

namespace Propeller.Contracts.Tests.Topics;

public sealed class TopicBuilderTests
{
    [Fact]
    public void Topics_AreTheOriginalPaths()
    {
        var topics = new TopicBuilder("t1", "c1");

        Assert.Equal("m/t1/c/c1/control/manager/start", topics.ManagerStart);
        Assert.Equal("m/t1/c/c1/control/proplet/task_metrics", topics.PropletTaskMetrics);
        Assert.Equal("m/t1/c/c1/registry/server", topics.RegistryServer);
        Assert.Equal("m/t1/c/c1/#", topics.AllTopics);
    }

    [Theory]
    [InlineData("m/t1/c/c1/control/proplet/alive", "control/proplet/alive")]
    [InlineData("m/t1/c/c2/control/proplet/alive", null)]
    [InlineData("m/t1/c/c1", null)]
    public void SuffixOf_OnlyMatchesThisChannel(string topic, string? expected) =>
        Assert.Equal(expected, new TopicBuilder("t1", "c1").SuffixOf(topic));

    [Fact]
    public void DirectTopics_AppendTheProletId()
    {
        var topics = new TopicBuilder("t1", "c1");

        Assert.Equal("m/t1/c/c1/control/manager/start/p-1", topics.ManagerStartFor("p-1"));
        Assert.Equal("m/t1/c/c1/control/manager/stop/p-1", topics.ManagerStopFor("p-1"));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a+")]
    [InlineData("#")]
    [InlineData("")]
    [InlineData("nul\0")]
    public void DirectTopics_IdThatCannotBeATopicLevel_IsRefused(string id)
    {
        id = id.Replace("\\0", "\0", StringComparison.Ordinal);

        Assert.False(TopicBuilder.IsTopicSafe(id));
        Assert.Throws<ArgumentException>(() => new TopicBuilder("t1", "c1").ManagerStartFor(id));
    }
}
