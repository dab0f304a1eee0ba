namespace Propeller.Contracts.Api;

/// <summary>
/// <c>POST /workflows</c> in the original's shape <c>{"tasks":[...]}</c>; a bare JSON array of tasks is accepted
/// too. Tasks may carry client ids that <c>depends_on</c> refers to.
/// </summary>
public sealed record WorkflowRequest
{
    public List<TaskDto>? Tasks { get; set; }
}
