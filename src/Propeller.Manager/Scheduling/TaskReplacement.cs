namespace Propeller.Manager.Scheduling;

/// <summary>A re-placement of a task whose proplet went offline: the proplet to avoid and the run it starts.</summary>
internal sealed record TaskReplacement(string LostPropletId, int Attempt);
