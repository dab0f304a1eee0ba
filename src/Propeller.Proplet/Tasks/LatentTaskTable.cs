using System.Diagnostics.CodeAnalysis;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// The deployed latent tasks and their invocations in flight. Removing a task stops its invocations, so none
/// outlives the deployment it runs; one lock orders invocations against removal.
/// </summary>
internal sealed class LatentTaskTable
{
    private readonly Dictionary<string, Deployment> _tasks = new(StringComparer.Ordinal);
    private readonly HashSet<TaskExecution> _invocations = [];
    private readonly Lock _lock = new();

    /// <summary>Deployed latent tasks.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _tasks.Count;
            }
        }
    }

    /// <summary>Invocations not yet ended.</summary>
    public int InvocationCount
    {
        get
        {
            lock (_lock)
            {
                return _invocations.Count;
            }
        }
    }

    /// <summary>Keeps <paramref name="task"/> until <see cref="Remove"/>; a redeployment replaces the previous one.</summary>
    public void Add(LatentTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_lock)
        {
            if (_tasks.Remove(task.TaskId, out var previous))
            {
                StopInvocations(previous);
            }

            _tasks[task.TaskId] = new Deployment(task);
        }
    }

    /// <summary>
    /// Forgets the task and stops every invocation of it still running; false if it was not deployed, or, when
    /// <paramref name="only"/> is given, if the deployment is another one.
    /// </summary>
    public bool Remove(string taskId, LatentTask? only)
    {
        lock (_lock)
        {
            if (!_tasks.TryGetValue(taskId, out var deployment) || (only is not null && !ReferenceEquals(deployment.Task, only)))
            {
                return false;
            }

            _tasks.Remove(taskId);
            StopInvocations(deployment);
            return true;
        }
    }

    /// <summary>
    /// Registers a new invocation of <paramref name="taskId"/> under its own id; false if the task is not deployed.
    /// The caller must <see cref="EndInvocation"/> it.
    /// </summary>
    public bool TryBeginInvocation(
        string taskId, [NotNullWhen(true)] out LatentTask? task, [NotNullWhen(true)] out TaskExecution? invocation)
    {
        lock (_lock)
        {
            if (!_tasks.TryGetValue(taskId, out var deployment))
            {
                task = null;
                invocation = null;
                return false;
            }

            task = deployment.Task;
            invocation = new TaskExecution($"{taskId}-inv-{Guid.NewGuid()}", daemon: false);
            deployment.Invocations.Add(invocation);
            _invocations.Add(invocation);
            return true;
        }
    }

    /// <summary>Forgets an ended invocation and releases it.</summary>
    public void EndInvocation(string taskId, TaskExecution invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        lock (_lock)
        {
            if (_tasks.TryGetValue(taskId, out var deployment))
            {
                deployment.Invocations.Remove(invocation);
            }

            _invocations.Remove(invocation);
        }

        invocation.MarkFinished();
        invocation.Dispose();
    }

    /// <summary>Forgets every task, stops every invocation and returns when each invocation has ended.</summary>
    public Task StopAll()
    {
        List<TaskExecution> invocations;
        lock (_lock)
        {
            _tasks.Clear();
            invocations = [.. _invocations];
        }

        foreach (var invocation in invocations)
        {
            invocation.Stop();
        }

        return Task.WhenAll(invocations.Select(i => i.Finished));
    }

    private static void StopInvocations(Deployment deployment)
    {
        foreach (var invocation in deployment.Invocations)
        {
            invocation.Stop();
        }

        deployment.Invocations.Clear();
    }

    private sealed class Deployment(LatentTask task)
    {
        public LatentTask Task { get; } = task;

        public HashSet<TaskExecution> Invocations { get; } = [];
    }
}
