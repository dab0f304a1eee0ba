using Npgsql;
using NpgsqlTypes;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;

namespace Propeller.Manager.Storage.Postgres;

/// <summary>Metrics samples, one row each, keyed by <see cref="MetricsKey"/>; a repeated key replaces the row.</summary>
internal sealed class PostgresMetricsRepository(NpgsqlDataSource dataSource) : IMetricsRepository
{
    private const string Order = "ORDER BY timestamp DESC, id ASC";

    private static PropellerJsonContext Json => PropellerJsonContext.Default;

    public Task AddTaskMetricsAsync(TaskMetricsMessage metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return InsertAsync(
            """
            INSERT INTO task_metrics (id, task_id, proplet_id, metrics, aggregated, timestamp)
            VALUES (@id, @owner, @proplet_id, @metrics, @aggregated, @timestamp)
            ON CONFLICT (id) DO UPDATE SET proplet_id = excluded.proplet_id, metrics = excluded.metrics,
                aggregated = excluded.aggregated, timestamp = excluded.timestamp;
            """,
            "task_metrics_task_fk",
            $"task '{metrics.TaskId}' not found",
            c =>
            {
                c.Add("id", NpgsqlDbType.Text, MetricsKey.For(metrics.TaskId, metrics.Timestamp));
                c.Add("owner", NpgsqlDbType.Text, metrics.TaskId);
                c.Add("proplet_id", NpgsqlDbType.Text, metrics.PropletId);
                c.Add("metrics", NpgsqlDbType.Jsonb, PostgresValues.Json(metrics.Metrics, Json.ProcessMetrics));
                c.Add("aggregated", NpgsqlDbType.Jsonb, PostgresValues.Json(metrics.Aggregated, Json.AggregatedMetrics));
                c.Add("timestamp", NpgsqlDbType.Text, PostgresValues.Time(metrics.Timestamp));
            },
            cancellationToken);
    }

    public Task<Page<TaskMetricsMessage>> ListTaskMetricsAsync(string taskId, ulong offset, ulong limit, CancellationToken cancellationToken) =>
        PostgresQueries.PageAsync(
            dataSource,
            "task_id, proplet_id, metrics, aggregated, timestamp",
            "task_metrics WHERE task_id = @owner",
            Order,
            c => c.Add("owner", NpgsqlDbType.Text, taskId),
            r => new TaskMetricsMessage
            {
                TaskId = r.GetString(0),
                PropletId = r.GetString(1),
                Metrics = PostgresValues.ReadJson(r, 2, Json.ProcessMetrics) ?? new ProcessMetrics(),
                Aggregated = PostgresValues.ReadJson(r, 3, Json.AggregatedMetrics),
                Timestamp = PostgresValues.ReadTime(r, 4),
            },
            offset,
            limit,
            cancellationToken);

    public Task AddPropletMetricsAsync(PropletMetricsMessage metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return InsertAsync(
            """
            INSERT INTO proplet_metrics (id, proplet_id, namespace, cpu_metrics, memory_metrics, timestamp)
            VALUES (@id, @owner, @namespace, @cpu_metrics, @memory_metrics, @timestamp)
            ON CONFLICT (id) DO UPDATE SET namespace = excluded.namespace, cpu_metrics = excluded.cpu_metrics,
                memory_metrics = excluded.memory_metrics, timestamp = excluded.timestamp;
            """,
            "proplet_metrics_proplet_fk",
            $"proplet '{metrics.PropletId}' not found",
            c =>
            {
                c.Add("id", NpgsqlDbType.Text, MetricsKey.For(metrics.PropletId, metrics.Timestamp));
                c.Add("owner", NpgsqlDbType.Text, metrics.PropletId);
                c.Add("namespace", NpgsqlDbType.Text, metrics.Namespace);
                c.Add("cpu_metrics", NpgsqlDbType.Jsonb, PostgresValues.Json(metrics.CpuMetrics, Json.CpuMetrics));
                c.Add("memory_metrics", NpgsqlDbType.Jsonb, PostgresValues.Json(metrics.MemoryMetrics, Json.MemoryMetrics));
                c.Add("timestamp", NpgsqlDbType.Text, PostgresValues.Time(metrics.Timestamp));
            },
            cancellationToken);
    }

    public Task<Page<PropletMetricsMessage>> ListPropletMetricsAsync(string propletId, ulong offset, ulong limit, CancellationToken cancellationToken) =>
        PostgresQueries.PageAsync(
            dataSource,
            "proplet_id, namespace, cpu_metrics, memory_metrics, timestamp",
            "proplet_metrics WHERE proplet_id = @owner",
            Order,
            c => c.Add("owner", NpgsqlDbType.Text, propletId),
            r => new PropletMetricsMessage
            {
                PropletId = r.GetString(0),
                Namespace = PostgresValues.ReadText(r, 1),
                CpuMetrics = PostgresValues.ReadJson(r, 2, Json.CpuMetrics) ?? new CpuMetrics(),
                MemoryMetrics = PostgresValues.ReadJson(r, 3, Json.MemoryMetrics) ?? new MemoryMetrics(),
                Timestamp = PostgresValues.ReadTime(r, 4),
            },
            offset,
            limit,
            cancellationToken);

    private async Task InsertAsync(string sql, string ownerConstraint, string notFound, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        try
        {
            await PostgresQueries.ExecuteAsync(dataSource, sql, bind, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (PostgresErrors.IsForeignKeyViolation(ex, ownerConstraint))
        {
            throw new EntityNotFoundException(notFound, ex);
        }
    }
}
