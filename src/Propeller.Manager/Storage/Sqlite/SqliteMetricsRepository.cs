using Microsoft.Data.Sqlite;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;

namespace Propeller.Manager.Storage.Sqlite;

/// <summary>Metrics samples, one row each, keyed by <see cref="MetricsKey"/>; a repeated key replaces the row.</summary>
internal sealed class SqliteMetricsRepository(SqliteConnectionFactory connections) : IMetricsRepository
{
    private static PropellerJsonContext Json => PropellerJsonContext.Default;

    public Task AddTaskMetricsAsync(TaskMetricsMessage metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return InsertAsync(
            """
            INSERT INTO task_metrics (id, task_id, proplet_id, metrics, aggregated, timestamp)
            VALUES ($id, $owner, $proplet_id, $metrics, $aggregated, $timestamp)
            ON CONFLICT (id) DO UPDATE SET proplet_id = excluded.proplet_id, metrics = excluded.metrics,
                aggregated = excluded.aggregated, timestamp = excluded.timestamp;
            """,
            $"task '{metrics.TaskId}' not found",
            c =>
            {
                c.Add("$id", MetricsKey.For(metrics.TaskId, metrics.Timestamp));
                c.Add("$owner", metrics.TaskId);
                c.Add("$proplet_id", metrics.PropletId);
                c.Add("$metrics", SqliteValues.Json(metrics.Metrics, Json.ProcessMetrics));
                c.Add("$aggregated", SqliteValues.Json(metrics.Aggregated, Json.AggregatedMetrics));
                c.Add("$timestamp", SqliteValues.Time(metrics.Timestamp));
            },
            cancellationToken);
    }

    public Task<Page<TaskMetricsMessage>> ListTaskMetricsAsync(string taskId, ulong offset, ulong limit, CancellationToken cancellationToken) =>
        ListAsync(
            "task_metrics",
            "task_id",
            "task_id, proplet_id, metrics, aggregated, timestamp",
            taskId,
            r => new TaskMetricsMessage
            {
                TaskId = r.GetString(0),
                PropletId = r.GetString(1),
                Metrics = SqliteValues.ReadJson(r, 2, Json.ProcessMetrics) ?? new ProcessMetrics(),
                Aggregated = SqliteValues.ReadJson(r, 3, Json.AggregatedMetrics),
                Timestamp = SqliteValues.ReadTime(r, 4),
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
            VALUES ($id, $owner, $namespace, $cpu_metrics, $memory_metrics, $timestamp)
            ON CONFLICT (id) DO UPDATE SET namespace = excluded.namespace, cpu_metrics = excluded.cpu_metrics,
                memory_metrics = excluded.memory_metrics, timestamp = excluded.timestamp;
            """,
            $"proplet '{metrics.PropletId}' not found",
            c =>
            {
                c.Add("$id", MetricsKey.For(metrics.PropletId, metrics.Timestamp));
                c.Add("$owner", metrics.PropletId);
                c.Add("$namespace", SqliteValues.Text(metrics.Namespace));
                c.Add("$cpu_metrics", SqliteValues.Json(metrics.CpuMetrics, Json.CpuMetrics));
                c.Add("$memory_metrics", SqliteValues.Json(metrics.MemoryMetrics, Json.MemoryMetrics));
                c.Add("$timestamp", SqliteValues.Time(metrics.Timestamp));
            },
            cancellationToken);
    }

    public Task<Page<PropletMetricsMessage>> ListPropletMetricsAsync(string propletId, ulong offset, ulong limit, CancellationToken cancellationToken) =>
        ListAsync(
            "proplet_metrics",
            "proplet_id",
            "proplet_id, namespace, cpu_metrics, memory_metrics, timestamp",
            propletId,
            r => new PropletMetricsMessage
            {
                PropletId = r.GetString(0),
                Namespace = SqliteValues.ReadText(r, 1),
                CpuMetrics = SqliteValues.ReadJson(r, 2, Json.CpuMetrics) ?? new CpuMetrics(),
                MemoryMetrics = SqliteValues.ReadJson(r, 3, Json.MemoryMetrics) ?? new MemoryMetrics(),
                Timestamp = SqliteValues.ReadTime(r, 4),
            },
            offset,
            limit,
            cancellationToken);

    private async Task InsertAsync(string sql, string notFound, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException ex) when (SqliteErrors.IsForeignKeyViolation(ex))
            {
                // The owner's foreign key is the only one: the task or proplet is unknown.
                throw new EntityNotFoundException(notFound, ex);
            }
        }
    }

    // Table and column names are constants of this class, never input.
    private async Task<Page<T>> ListAsync<T>(
        string table, string ownerColumn, string columns, string ownerId, Func<SqliteDataReader, T> read, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One read transaction: the total and the page come from the same snapshot.
            using var transaction = connection.BeginTransaction(deferred: true);
            using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = $"SELECT COUNT(*) FROM {table} WHERE {ownerColumn} = $owner;";
            count.Add("$owner", ownerId);
            var total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

            using var page = connection.CreateCommand();
            page.Transaction = transaction;
            page.CommandText = $"SELECT {columns} FROM {table} WHERE {ownerColumn} = $owner ORDER BY timestamp DESC, id ASC LIMIT $limit OFFSET $offset;";
            page.Add("$owner", ownerId);
            page.Add("$limit", SqliteValues.Bound(limit));
            page.Add("$offset", SqliteValues.Bound(offset));
            var items = new List<T>();
            var reader = await page.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    items.Add(read(reader));
                }
            }

            return new Page<T>(items, (ulong)total);
        }
    }
}
