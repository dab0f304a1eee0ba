using Propeller.Contracts.Messages;

namespace Propeller.Contracts.Api;

/// <summary>
/// A workflow (<c>POST /workflows</c>, <c>GET /workflows/{id}</c>): its id, the state derived from its tasks as for
/// jobs, and its tasks (redacted) in the order they were sent. The original answered <c>{"tasks":[...]}</c>;
/// <c>workflow_id</c> and <c>state</c> are ours.
/// </summary>
public sealed record WorkflowDto(string WorkflowId, TaskState State, IReadOnlyList<TaskDto> Tasks);

/// <summary><c>POST /workflows/{id}/start</c> (ours): the root tasks that were started.</summary>
public sealed record WorkflowStartedResponse(string WorkflowId, IReadOnlyList<string> Started);
