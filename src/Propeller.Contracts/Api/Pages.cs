using Propeller.Contracts.Messages;

namespace Propeller.Contracts.Api;

/// <summary><c>GET /tasks</c>.</summary>
public sealed record TaskPage(ulong Offset, ulong Limit, ulong Total, IReadOnlyList<TaskDto> Tasks);

/// <summary><c>GET /proplets</c>.</summary>
public sealed record PropletPage(ulong Offset, ulong Limit, ulong Total, IReadOnlyList<PropletView> Proplets);

/// <summary><c>GET /proplets/{id}/alive-history</c>: heartbeat times, oldest first.</summary>
public sealed record AliveHistoryPage(ulong Offset, ulong Limit, ulong Total, IReadOnlyList<DateTimeOffset> History);

/// <summary><c>GET /tasks/{id}/metrics</c>.</summary>
public sealed record TaskMetricsPage(ulong Offset, ulong Limit, ulong Total, IReadOnlyList<TaskMetricsMessage> Metrics);

/// <summary><c>GET /proplets/{id}/metrics</c>.</summary>
public sealed record PropletMetricsPage(ulong Offset, ulong Limit, ulong Total, IReadOnlyList<PropletMetricsMessage> Metrics);
