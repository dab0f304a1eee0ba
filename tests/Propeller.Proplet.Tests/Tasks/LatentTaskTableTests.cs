using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Tests.Tasks;

public sealed class LatentTaskTableTests
{
    [Fact]
    public void Remove_Task_StopsItsInvocationsOnly()
    {
        var table = new LatentTaskTable();
        table.Add(Deployment("a"));
        table.Add(Deployment("b"));
        Assert.True(table.TryBeginInvocation("a", out _, out var first));
        Assert.True(table.TryBeginInvocation("b", out _, out var other));

        Assert.True(table.Remove("a", only: null));

        Assert.True(first.StopToken.IsCancellationRequested);
        Assert.False(other.StopToken.IsCancellationRequested);
        Assert.StartsWith("a-inv-", first.TaskId, StringComparison.Ordinal);
        Assert.False(table.TryBeginInvocation("a", out _, out _));
        table.EndInvocation("a", first);
        table.EndInvocation("b", other);
        Assert.Equal(0, table.InvocationCount);
    }

    [Fact]
    public void Remove_SupersededDeployment_KeepsTheNewOne()
    {
        var table = new LatentTaskTable();
        var old = Deployment("t");
        table.Add(old);
        table.Add(Deployment("t"));

        Assert.False(table.Remove("t", only: old));

        Assert.Equal(1, table.Count);
        Assert.True(table.TryBeginInvocation("t", out var current, out var invocation));
        Assert.NotSame(old, current);
        table.EndInvocation("t", invocation);
    }

    [Fact]
    public async Task StopAll_WithInvocationInFlight_StopsItAndCompletesWhenItEnds()
    {
        var table = new LatentTaskTable();
        table.Add(Deployment("t"));
        Assert.True(table.TryBeginInvocation("t", out _, out var invocation));

        var stopped = table.StopAll();

        Assert.True(invocation.StopToken.IsCancellationRequested);
        Assert.False(stopped.IsCompleted);
        table.EndInvocation("t", invocation);
        await stopped.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, table.Count);
    }

    private static LatentTask Deployment(string id) =>
        new(id, "greet", new byte[] { 0 }, new Dictionary<string, string>(), [], null);
}
