using Propeller.Contracts.Messages;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Workflows;

/// <summary>
/// The task graph rules shared by workflows and jobs (manager-reference §5.1): every dependency is in the graph,
/// there is no cycle, a topological order exists, and a task is ready once all its parents have finished.
/// Works on task ids; <c>depends_on</c> lists parent ids.
/// </summary>
internal static class Dag
{
    /// <summary>Checks both rules, dependencies first. Throws a <see cref="DagValidationException"/>.</summary>
    public static void Validate(IReadOnlyList<PropellerTask> tasks)
    {
        ValidateDependencies(tasks);
        ValidateAcyclic(tasks);
    }

    /// <summary>Throws <see cref="MissingDependencyException"/> for the first dependency not in <paramref name="tasks"/>.</summary>
    public static void ValidateDependencies(IReadOnlyList<PropellerTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var ids = tasks.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            foreach (var parent in task.DependsOn ?? [])
            {
                if (!ids.Contains(parent))
                {
                    throw new MissingDependencyException($"dependency task not found: task {task.Id} depends on {parent} which does not exist");
                }
            }
        }
    }

    /// <summary>
    /// Depth-first search with an explicit stack (a long chain cannot overflow the thread's stack); a dependency
    /// that is still on the search path closes a cycle. Dependencies outside the graph are ignored here.
    /// </summary>
    public static void ValidateAcyclic(IReadOnlyList<PropellerTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var byId = Index(tasks);
        var state = new Dictionary<string, Visit>(StringComparer.Ordinal);
        foreach (var root in tasks)
        {
            if (state.ContainsKey(root.Id))
            {
                continue;
            }

            var path = new Stack<(PropellerTask Task, int Next)>();
            path.Push((root, 0));
            state[root.Id] = Visit.OnPath;
            while (path.Count > 0)
            {
                var (task, next) = path.Pop();
                var parents = task.DependsOn ?? [];
                if (next >= parents.Count)
                {
                    state[task.Id] = Visit.Done;
                    continue;
                }

                path.Push((task, next + 1));
                var parentId = parents[next];
                if (string.Equals(parentId, task.Id, StringComparison.Ordinal))
                {
                    throw new CircularDependencyException($"circular dependency detected: task {task.Id} depends on itself");
                }

                if (!byId.TryGetValue(parentId, out var parent))
                {
                    continue;
                }

                switch (state.GetValueOrDefault(parentId))
                {
                    case Visit.OnPath:
                        throw new CircularDependencyException($"circular dependency detected: cycle detected involving tasks {task.Id} and {parentId}");
                    case Visit.None:
                        state[parentId] = Visit.OnPath;
                        path.Push((parent, 0));
                        break;
                    default:
                        break;
                }
            }
        }
    }

    /// <summary>
    /// Kahn's algorithm after <see cref="Validate"/>: parents always come before their children; independent tasks
    /// keep their order in <paramref name="tasks"/>.
    /// </summary>
    public static IReadOnlyList<PropellerTask> TopologicalSort(IReadOnlyList<PropellerTask> tasks)
    {
        Validate(tasks);
        var remaining = tasks.ToDictionary(t => t.Id, t => t.DependsOn?.Distinct(StringComparer.Ordinal).Count() ?? 0, StringComparer.Ordinal);
        var children = new Dictionary<string, List<PropellerTask>>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            foreach (var parent in (task.DependsOn ?? []).Distinct(StringComparer.Ordinal))
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(task);
            }
        }

        var queue = new Queue<PropellerTask>(tasks.Where(t => remaining[t.Id] == 0));
        var order = new List<PropellerTask>(tasks.Count);
        while (queue.TryDequeue(out var task))
        {
            order.Add(task);
            foreach (var child in children.GetValueOrDefault(task.Id) ?? [])
            {
                if (--remaining[child.Id] == 0)
                {
                    queue.Enqueue(child);
                }
            }
        }

        return order;
    }

    /// <summary>
    /// Tasks that may run now: not finished themselves, and every parent is in <paramref name="finished"/> with a
    /// terminal state. Failed, Skipped and Interrupted parents unblock their children too (run_if decides what
    /// then happens). A task without parents is always ready while it has not finished.
    /// </summary>
    public static IReadOnlyList<PropellerTask> ReadyTasks(IReadOnlyList<PropellerTask> tasks, IReadOnlyDictionary<string, TaskState> finished)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(finished);
        return tasks
            .Where(t => !IsTerminal(t.State))
            .Where(t => (t.DependsOn ?? []).All(p => finished.TryGetValue(p, out var state) && IsTerminal(state)))
            .ToList();
    }

    /// <summary>The ids and states of the finished tasks of a graph, the input of <see cref="ReadyTasks"/>.</summary>
    public static Dictionary<string, TaskState> Finished(IEnumerable<PropellerTask> tasks) =>
        tasks.Where(t => IsTerminal(t.State)).ToDictionary(t => t.Id, t => t.State, StringComparer.Ordinal);

    public static bool IsTerminal(TaskState state) =>
        state is TaskState.Completed or TaskState.Failed or TaskState.Skipped or TaskState.Interrupted;

    private static Dictionary<string, PropellerTask> Index(IReadOnlyList<PropellerTask> tasks)
    {
        var byId = new Dictionary<string, PropellerTask>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            byId.TryAdd(task.Id, task);
        }

        return byId;
    }

    private enum Visit
    {
        None,
        OnPath,
        Done,
    }
}
