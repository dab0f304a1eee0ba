using Propeller.Contracts.Messages;
using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Tests.Tasks;

public sealed class TaskTargetingTests
{
    [Theory]
    [InlineData(null, false, true)]
    [InlineData("", false, true)]
    [InlineData("me", false, true)]
    [InlineData("other", false, false)]
    [InlineData("other", true, true)]
    [InlineData(null, true, true)]
    public void IsFor_PropletIdAndBroadcast_DecideWhoRuns(string? target, bool broadcast, bool expected) =>
        Assert.Equal(expected, TaskTargeting.IsFor(new StartMessage { Id = "t", Name = "n", PropletId = target, Broadcast = broadcast }, "me"));
}
