using Propeller.Contracts.Messages;
using Propeller.Manager.Workflows;

namespace Propeller.Manager.Tests.Workflows;

public sealed class RunIfTests
{
    private const TaskState C = TaskState.Completed;
    private const TaskState F = TaskState.Failed;
    private const TaskState S = TaskState.Skipped;
    private const TaskState I = TaskState.Interrupted;

    public static TheoryData<string?, TaskState[], bool> Table => new()
    {
        { "success", [C, C], true },
        { "success", [C, F], false },
        { "success", [C, S], false },
        { "success", [C, I], false },
        { "failure", [C, F], true },
        { "failure", [F], true },
        { "failure", [C, C], false },
        { "failure", [S], false },
        { "failure", [I], false },
        { null, [C, C], true },
        { "", [C, F], false },
        { "success", [], true },
        { "failure", [], true },
        { "sometimes", [C], false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Holds_ParentStates_DecidesAsTheConditionTableSays(string? runIf, TaskState[] parents, bool expected)
    {
        Assert.Equal(expected, RunIf.Holds(runIf, parents));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("success", true)]
    [InlineData("failure", true)]
    [InlineData("Success", false)]
    [InlineData("always", false)]
    public void IsValid_Value_AcceptsOnlyTheTwoConditions(string? runIf, bool expected)
    {
        Assert.Equal(expected, RunIf.IsValid(runIf));
    }
}
