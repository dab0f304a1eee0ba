using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Tests.Tasks;

public sealed class RunningTaskTableTests
{
    private readonly PropletMetrics _metrics = new();
    private readonly RunningTaskTable _table;

    public RunningTaskTableTests() => _table = new RunningTaskTable(_metrics);

    [Fact]
    public void TryAdd_SameIdTwice_SecondIsRefused()
    {
        Assert.Equal(TaskAdmission.Admitted, _table.Admit(new TaskExecution("t", daemon: false)));
        Assert.Equal(TaskAdmission.Duplicate, _table.Admit(new TaskExecution("t", daemon: false)));

        Assert.Equal(1, _table.Count);
        Assert.Equal(1, _metrics.TasksStarted);
        Assert.Equal(1, _metrics.TasksRunning);
    }

    [Fact]
    public void Release_Daemon_FreesTheIdButStaysStoppable()
    {
        var first = new TaskExecution("d", daemon: true);
        _table.Admit(first);

        _table.Release(first);
        var second = new TaskExecution("d", daemon: true);

        Assert.Equal(TaskAdmission.Admitted, _table.Admit(second));
        Assert.Equal(2, _table.InFlightCount);
        Assert.True(_table.Stop("d"));
        Assert.True(first.StopToken.IsCancellationRequested);
        Assert.True(second.StopToken.IsCancellationRequested);
        Assert.Equal(0, _table.Count);
        Assert.Equal(0, _metrics.TasksRunning);
    }

    [Fact]
    public void Stop_UnknownId_ReturnsFalse() => Assert.False(_table.Stop("nobody"));

    [Fact]
    public async Task StopAll_CompletesWhenEveryExecutionFinished()
    {
        var execution = new TaskExecution("t", daemon: false);
        _table.Admit(execution);

        var all = _table.StopAll();
        Assert.True(execution.StopToken.IsCancellationRequested);
        Assert.False(all.IsCompleted);

        _table.Finish(execution);
        await all.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, _table.InFlightCount);
        Assert.Equal(0, _metrics.TasksRunning);
    }

    [Fact]
    public void Finish_AfterStop_DoesNotCountTwice()
    {
        var execution = new TaskExecution("t", daemon: false);
        _table.Admit(execution);

        _table.Stop("t");
        _table.Finish(execution);

        Assert.Equal(0, _metrics.TasksRunning);
    }

    [Fact]
    public async Task Admit_AfterStopAll_IsRefusedSoNothingOutlivesShutdown()
    {
        await _table.StopAll().WaitAsync(TimeSpan.FromSeconds(5));

        var late = new TaskExecution("late", daemon: false);

        Assert.Equal(TaskAdmission.Closed, _table.Admit(late));
        Assert.Equal(0, _table.InFlightCount);
        Assert.Equal(0, _metrics.TasksStarted);
    }
}
