using Microsoft.Extensions.Time.Testing;
using Propeller.Contracts.Messages;
using Propeller.Proplet.Messaging;

namespace Propeller.Proplet.Tests.Messaging;

public sealed class RecentResultsTests
{
    [Fact]
    public void Snapshot_RecentResults_AreMarkedReplayedWithTheirFinishTime()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var recent = new RecentResults(clock);

        recent.Add(new ResultMessage { TaskId = "a", PropletId = "p" });
        clock.Advance(TimeSpan.FromSeconds(5));
        recent.Add(new ResultMessage { TaskId = "b", PropletId = "p", Error = "boom" });

        var replay = recent.Snapshot();
        Assert.Equal(["a", "b"], replay.Select(r => r.TaskId));
        Assert.All(replay, r => Assert.True(r.Replayed));
        Assert.Equal(clock.GetUtcNow().AddSeconds(-5), replay[0].FinishedAt);
        Assert.Equal("boom", replay[1].Error);
    }

    [Fact]
    public void Snapshot_ResultsOlderThanTheWindow_AreGone()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var recent = new RecentResults(clock);
        recent.Add(new ResultMessage { TaskId = "old" });
        clock.Advance(RecentResults.Window - TimeSpan.FromSeconds(1));
        recent.Add(new ResultMessage { TaskId = "new" });

        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(["new"], recent.Snapshot().Select(r => r.TaskId));
    }

    [Fact]
    public void Add_BeyondCapacity_KeepsTheNewest()
    {
        var recent = new RecentResults(TimeProvider.System);

        for (var i = 0; i < RecentResults.Capacity + 10; i++)
        {
            recent.Add(new ResultMessage { TaskId = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        var replay = recent.Snapshot();
        Assert.Equal(RecentResults.Capacity, replay.Count);
        Assert.Equal("10", replay[0].TaskId);
    }
}
