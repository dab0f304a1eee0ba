using System.Text.Json;

namespace Propeller.Contracts.Api;

/// <summary>Every API error: <c>{"error": "..."}</c>.</summary>
public sealed record ErrorResponse(string Error);

/// <summary><c>POST /tasks/{id}/start</c>.</summary>
public sealed record StartedResponse(bool Started);

/// <summary><c>POST /tasks/{id}/stop</c>.</summary>
public sealed record StoppedResponse(bool Stopped);

/// <summary><c>GET /tasks/{id}/results</c>.</summary>
public sealed record TaskResultsResponse(JsonElement? Results);

/// <summary><c>GET /health</c>.</summary>
public sealed record HealthResponse(string Status, string Version, string Commit, string Description, string BuildTime, string InstanceId);
