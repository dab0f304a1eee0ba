using Propeller.Contracts.Messages;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Workflows;

/// <summary>A workflow as the API shows it: its tasks in the order they were sent and the state derived from them.</summary>
internal sealed record Workflow(string Id, TaskState State, IReadOnlyList<PropellerTask> Tasks);
