using Propeller.Manager.Proplets;
using Propeller.Manager.Scheduling;

namespace Propeller.Manager.Tests.Scheduling;

public sealed class RoundRobinSelectorTests
{
    private static Proplet Alive(string id) => new() { Id = id, Name = id, AliveHistory = [DateTimeOffset.UtcNow] };

    private static Proplet Dead(string id) => new() { Id = id, Name = id, AliveHistory = [DateTimeOffset.UtcNow.AddMinutes(-1)] };

    [Fact]
    public void Select_TwoAlive_FirstPickIsIndexOne()
    {
        var selector = new RoundRobinSelector(TimeProvider.System);

        Assert.Equal("b", selector.Select([Alive("a"), Alive("b")]).Id);
    }

    [Fact]
    public void Select_Repeatedly_CyclesThroughTheList()
    {
        var selector = new RoundRobinSelector(TimeProvider.System);
        Proplet[] proplets = [Alive("a"), Alive("b"), Alive("c")];

        var picks = Enumerable.Range(0, 4).Select(_ => selector.Select(proplets).Id).ToArray();

        Assert.Equal(["b", "c", "a", "b"], picks);
    }

    [Fact]
    public void Select_DeadProplets_AreSkipped()
    {
        var selector = new RoundRobinSelector(TimeProvider.System);

        Assert.Equal("c", selector.Select([Alive("a"), Dead("b"), Alive("c")]).Id);
        Assert.Equal("a", selector.Select([Alive("a"), Dead("b"), Alive("c")]).Id);
    }

    [Fact]
    public void Select_OfflineProplet_IsSkippedEvenWithRecentHeartbeat()
    {
        var selector = new RoundRobinSelector(TimeProvider.System);

        Assert.Equal("a", selector.Select([Alive("a"), Alive("b") with { Offline = true }]).Id);
    }

    [Fact]
    public void Select_EmptyList_ThrowsNoProplet()
    {
        var error = Assert.Throws<PropletSelectionException>(() => new RoundRobinSelector(TimeProvider.System).Select([]));

        Assert.Equal("no proplet was provided", error.Message);
    }

    [Fact]
    public void Select_AllDead_ThrowsAllDead()
    {
        var error = Assert.Throws<PropletSelectionException>(() => new RoundRobinSelector(TimeProvider.System).Select([Dead("a"), Dead("b")]));

        Assert.Equal("all proplets are dead", error.Message);
    }

    [Fact]
    public void Select_IndexIsSharedAcrossListsOfDifferentSizes()
    {
        var selector = new RoundRobinSelector(TimeProvider.System);
        selector.Select([Alive("a"), Alive("b"), Alive("c")]);
        selector.Select([Alive("a"), Alive("b"), Alive("c")]);

        // The shared index is 2; a two-element list continues from it: (2 + 1) % 2 = 1.
        Assert.Equal("y", selector.Select([Alive("x"), Alive("y")]).Id);
    }

    [Fact]
    public async Task Select_5000ConcurrentCalls_NeverFail()
    {
        var selector = new RoundRobinSelector(TimeProvider.System);
        Proplet[] proplets = [Alive("a"), Alive("b"), Alive("c")];

        var picks = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 100).Select(_ => selector.Select(proplets).Id).ToList())));

        var all = picks.SelectMany(p => p).ToList();
        Assert.Equal(5000, all.Count);
        Assert.All(proplets, p => Assert.InRange(all.Count(id => id == p.Id), 1666, 1667));
    }
}
