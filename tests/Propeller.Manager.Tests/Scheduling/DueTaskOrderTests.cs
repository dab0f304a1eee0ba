using Propeller.Manager.Scheduling;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Tests.Scheduling;

public sealed class DueTaskOrderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 15, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Sort_HighestPriorityFirst_ZeroCountsAsFifty_ThenOldestFirst()
    {
        var tasks = new[]
        {
            Task("low", 10, T0),
            Task("default-new", 0, T0.AddSeconds(2)),
            Task("fifty-old", 50, T0.AddSeconds(1)),
            Task("high", 90, T0.AddSeconds(3)),
            Task("default-old", 0, T0),
        };

        Assert.Equal(["high", "default-old", "fifty-old", "default-new", "low"], DueTaskOrder.Sort(tasks).Select(t => t.Id));
    }

    [Fact]
    public void IsDue_NeedsAScheduleAndANextRunNotAfterNow()
    {
        Assert.True(DueTaskOrder.IsDue(Task("a", 0, T0) with { Schedule = "* * * * *", NextRun = T0 }, T0));
        Assert.False(DueTaskOrder.IsDue(Task("b", 0, T0) with { Schedule = "* * * * *", NextRun = T0.AddTicks(1) }, T0));
        Assert.False(DueTaskOrder.IsDue(Task("c", 0, T0) with { Schedule = "* * * * *", NextRun = DateTimeOffset.MinValue }, T0));
        Assert.False(DueTaskOrder.IsDue(Task("d", 0, T0) with { Schedule = null, NextRun = T0 }, T0));
    }

    private static PropellerTask Task(string id, int priority, DateTimeOffset createdAt) =>
        new() { Id = id, Name = id, Priority = priority, CreatedAt = createdAt };
}
