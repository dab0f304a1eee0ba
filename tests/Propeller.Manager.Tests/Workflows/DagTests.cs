using Propeller.Contracts.Messages;
using Propeller.Manager.Tasks;
using Propeller.Manager.Workflows;

namespace Propeller.Manager.Tests.Workflows;

public sealed class DagTests
{
    [Fact]
    public void Validate_DiamondWithoutCycle_Passes()
    {
        Dag.Validate([T("a"), T("b", "a"), T("c", "a"), T("d", "b", "c")]);
    }

    [Fact]
    public void ValidateAcyclic_TwoTasksNeedingEachOther_IsCircular()
    {
        var error = Assert.Throws<CircularDependencyException>(() => Dag.ValidateAcyclic([T("a", "b"), T("b", "a")]));

        Assert.StartsWith("circular dependency detected: cycle detected involving tasks ", error.Message, StringComparison.Ordinal);
        Assert.Contains("a", error.Message, StringComparison.Ordinal);
        Assert.Contains("b", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateAcyclic_TaskNeedingItself_IsCircularNamingTheTask()
    {
        var error = Assert.Throws<CircularDependencyException>(() => Dag.ValidateAcyclic([T("a"), T("loop", "loop")]));

        Assert.Equal("circular dependency detected: task loop depends on itself", error.Message);
    }

    [Fact]
    public void ValidateAcyclic_ThreeTaskRing_IsCircular()
    {
        Assert.Throws<CircularDependencyException>(() => Dag.ValidateAcyclic([T("a", "c"), T("b", "a"), T("c", "b")]));
    }

    [Fact]
    public void ValidateAcyclic_RingBelowAnAcyclicPart_IsFound()
    {
        Assert.Throws<CircularDependencyException>(() => Dag.ValidateAcyclic([T("root"), T("x", "root", "z"), T("y", "x"), T("z", "y")]));
    }

    [Fact]
    public void ValidateAcyclic_ChainOfFiftyThousand_DoesNotOverflowTheStack()
    {
        var chain = Enumerable.Range(0, 50_000).Select(i => i == 0 ? T("t0") : T($"t{i}", $"t{i - 1}")).ToList();

        Dag.ValidateAcyclic(chain);
        Assert.Equal("t49999", Dag.TopologicalSort(chain)[^1].Id);
    }

    [Fact]
    public void ValidateDependencies_AllInTheSet_Passes()
    {
        Dag.ValidateDependencies([T("a"), T("b", "a"), T("c", "a", "b")]);
    }

    [Fact]
    public void ValidateDependencies_UnknownParent_IsMissingWithTheOriginalText()
    {
        var error = Assert.Throws<MissingDependencyException>(() => Dag.ValidateDependencies([T("a"), T("b", "ghost")]));

        Assert.Equal("dependency task not found: task b depends on ghost which does not exist", error.Message);
    }

    [Fact]
    public void TopologicalSort_Chain_KeepsTheChainOrder()
    {
        var order = Dag.TopologicalSort([T("c", "b"), T("a"), T("b", "a")]);

        Assert.Equal(["a", "b", "c"], order.Select(t => t.Id));
    }

    [Fact]
    public void TopologicalSort_TwoRootsFeedingOne_PutsItLast()
    {
        var order = Dag.TopologicalSort([T("task3", "task1", "task2"), T("task1"), T("task2")]);

        Assert.Equal("task3", order[^1].Id);
        Assert.Equal(3, order.Count);
    }

    [Fact]
    public void TopologicalSort_MissingDependency_IsMissing()
    {
        Assert.Throws<MissingDependencyException>(() => Dag.TopologicalSort([T("a", "nowhere")]));
    }

    [Fact]
    public void TopologicalSort_SelfCycle_IsCircular()
    {
        Assert.Throws<CircularDependencyException>(() => Dag.TopologicalSort([T("a", "a")]));
    }

    [Fact]
    public void TopologicalSort_RepeatedDependency_CountsItOnce()
    {
        var order = Dag.TopologicalSort([T("b", "a", "a"), T("a")]);

        Assert.Equal(["a", "b"], order.Select(t => t.Id));
    }

    [Fact]
    public void ReadyTasks_NoDependencies_IsReady()
    {
        var ready = Dag.ReadyTasks([T("a")], Finished());

        Assert.Equal(["a"], ready.Select(t => t.Id));
    }

    [Fact]
    public void ReadyTasks_ParentCompleted_ChildIsReady()
    {
        var tasks = new[] { T("a", state: TaskState.Completed), T("b", "a") };

        Assert.Equal(["b"], Dag.ReadyTasks(tasks, Dag.Finished(tasks)).Select(t => t.Id));
    }

    [Fact]
    public void ReadyTasks_ParentPending_ChildWaits()
    {
        var tasks = new[] { T("a"), T("b", "a") };

        Assert.Equal(["a"], Dag.ReadyTasks(tasks, Dag.Finished(tasks)).Select(t => t.Id));
    }

    [Fact]
    public void ReadyTasks_ParentInFinishedMapButNotTerminal_ChildWaits()
    {
        Assert.Empty(Dag.ReadyTasks([T("b", "a")], Finished(("a", TaskState.Running))));
    }

    [Fact]
    public void ReadyTasks_FailedParent_UnblocksTheChild()
    {
        var tasks = new[] { T("a", state: TaskState.Failed), T("b", "a") };

        Assert.Equal(["b"], Dag.ReadyTasks(tasks, Dag.Finished(tasks)).Select(t => t.Id));
    }

    [Fact]
    public void ReadyTasks_InterruptedParent_IsNoCandidateButUnblocksItsChild()
    {
        var tasks = new[] { T("a", state: TaskState.Interrupted), T("b", "a") };

        Assert.Equal(["b"], Dag.ReadyTasks(tasks, Dag.Finished(tasks)).Select(t => t.Id));
    }

    [Fact]
    public void ReadyTasks_InterruptedParentAndAnIndependentPendingTask_BothAreReady()
    {
        var tasks = new[] { T("a", state: TaskState.Interrupted), T("b", "a"), T("c") };

        Assert.Equal(["b", "c"], Dag.ReadyTasks(tasks, Dag.Finished(tasks)).Select(t => t.Id).Order());
    }

    [Fact]
    public void ReadyTasks_FinishedTasks_AreNeverReady()
    {
        var tasks = new[] { T("a", state: TaskState.Completed), T("b", state: TaskState.Skipped), T("c", state: TaskState.Failed) };

        Assert.Empty(Dag.ReadyTasks(tasks, Dag.Finished(tasks)));
    }

    [Fact]
    public void ReadyTasks_OneOfTwoParentsFinished_ChildWaits()
    {
        var tasks = new[] { T("a", state: TaskState.Completed), T("b", state: TaskState.Running), T("c", "a", "b") };

        Assert.DoesNotContain(Dag.ReadyTasks(tasks, Dag.Finished(tasks)), t => t.Id == "c");
    }

    internal static PropellerTask T(string id, params string[] dependsOn) => T(id, TaskState.Pending, dependsOn);

    internal static PropellerTask T(string id, TaskState state, params string[] dependsOn) =>
        new() { Id = id, Name = id, State = state, DependsOn = dependsOn.Length == 0 ? null : dependsOn };

    private static Dictionary<string, TaskState> Finished(params (string Id, TaskState State)[] entries) =>
        entries.ToDictionary(e => e.Id, e => e.State, StringComparer.Ordinal);
}
