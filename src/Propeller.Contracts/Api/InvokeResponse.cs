namespace Propeller.Contracts.Api;

/// <summary><c>POST /tasks/{id}/invoke</c>: the proplet's <c>results</c> string, passed on verbatim.</summary>
public sealed record InvokeResponse(bool Invoked, string Results);
