using Propeller.Contracts.Messages;

namespace Propeller.Manager.Workflows;

/// <summary>
/// The workflow condition of a task (manager-reference §5.3): <c>success</c> (the default) runs it when every
/// parent Completed; <c>failure</c> runs it when any parent Failed, the error-handler pattern. They are
/// deliberately not mirror images: a Skipped parent blocks a success task and does not trigger a failure task.
/// </summary>
internal static class RunIf
{
    public const string Success = "success";
    public const string Failure = "failure";

    public static bool IsValid(string? runIf) => runIf is null or "" or Success or Failure;

    /// <summary>Whether the task should run given its parents' final states; true when it has no parents.</summary>
    public static bool Holds(string? runIf, IReadOnlyCollection<TaskState> parentStates)
    {
        ArgumentNullException.ThrowIfNull(parentStates);
        if (parentStates.Count == 0)
        {
            return true;
        }

        return runIf switch
        {
            null or "" or Success => parentStates.All(s => s == TaskState.Completed),
            Failure => parentStates.Any(s => s == TaskState.Failed),
            _ => false,
        };
    }
}
