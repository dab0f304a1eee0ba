using Propeller.Contracts.Messages;
using Propeller.Manager.Errors;
using Propeller.Manager.Jobs;

// Not Propeller.Manager.Tests.Jobs: that namespace would shadow Propeller.Manager.Jobs for sibling test folders.
namespace Propeller.Manager.Tests.Orchestration;

public sealed class JobStateRulesTests
{
    private const TaskState P = TaskState.Pending;
    private const TaskState Sch = TaskState.Scheduled;
    private const TaskState R = TaskState.Running;
    private const TaskState C = TaskState.Completed;
    private const TaskState F = TaskState.Failed;
    private const TaskState S = TaskState.Skipped;
    private const TaskState I = TaskState.Interrupted;

    public static TheoryData<TaskState[], TaskState> Table => new()
    {
        { [], P },
        { [P, P], P },
        { [R, P], R },
        { [Sch, P], R },
        { [C, C], C },
        { [C, F], F },
        { [C, S], C },
        { [S, S], C },
        { [C, P], P },
        { [C, I], F },
        { [I, I], F },
        { [R, I], F },
        { [R, F], F },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Compute_TaskStates_GivesTheAggregatedJobState(TaskState[] tasks, TaskState expected)
    {
        Assert.Equal(expected, JobStateRules.Compute(tasks));
    }

    [Theory]
    [InlineData("pending", TaskState.Pending)]
    [InlineData("running", TaskState.Running)]
    [InlineData("completed", TaskState.Completed)]
    [InlineData("failed", TaskState.Failed)]
    public void StatusFilter_KnownStatus_SelectsItsState(string status, TaskState expected)
    {
        Assert.Equal(expected, JobStatusFilter.Parse(status));
    }

    [Fact]
    public void StatusFilter_Empty_IsNoFilter()
    {
        Assert.Null(JobStatusFilter.Parse(null));
        Assert.Null(JobStatusFilter.Parse(""));
    }

    [Fact]
    public void StatusFilter_Unknown_IsAnInvalidJobStatus()
    {
        var error = Assert.Throws<InvalidRequestException>(() => JobStatusFilter.Parse("unknown"));

        Assert.Contains("invalid value", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid job status", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("parallel", "Parallel")]
    [InlineData(" sequential ", "Sequential")]
    [InlineData("configurable", "Configurable")]
    public void ExecutionModes_KnownText_Parses(string text, string expected)
    {
        Assert.True(ExecutionModes.TryParse(text, out var mode));
        Assert.Equal(expected, mode.ToString());
    }

    [Fact]
    public void ExecutionModes_Unknown_IsRefusedAtCreation()
    {
        Assert.False(ExecutionModes.TryParse("random", out _));
        var error = Assert.Throws<InvalidRequestException>(() => ExecutionModes.Normalize("random"));
        Assert.Contains("\"parallel\", \"sequential\", \"configurable\"", error.Message, StringComparison.Ordinal);
        Assert.Equal("", ExecutionModes.Normalize("  "));
    }
}
