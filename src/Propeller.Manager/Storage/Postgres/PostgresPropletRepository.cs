using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Storage.Postgres;

/// <summary>
/// Proplets. <c>alive_history</c> holds the heartbeat times as a JSONB array, oldest first; <c>last_alive_at</c>
/// repeats its last entry so the liveness listing is a plain indexed comparison.
/// </summary>
internal sealed class PostgresPropletRepository(NpgsqlDataSource dataSource) : IPropletRepository
{
    private const string SelectColumns = "id, name, task_count, alive_history, offline, metadata";

    private const string AliveCondition = "(offline = FALSE AND last_alive_at IS NOT NULL AND last_alive_at >= @since)";

    private static PropellerJsonContext Json => PropellerJsonContext.Default;

    public async Task CreateAsync(Proplet proplet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proplet);
        const string sql = """
            INSERT INTO proplets (id, name, task_count, alive_history, last_alive_at, offline, metadata)
            VALUES (@id, @name, @task_count, @alive_history, @last_alive_at, @offline, @metadata)
            ON CONFLICT (id) DO NOTHING;
            """;
        if (await PostgresQueries.ExecuteAsync(dataSource, sql, c => Bind(c, proplet), cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new EntityConflictException($"proplet '{proplet.Id}' already exists");
        }
    }

    public async Task<Proplet?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var proplets = await PostgresQueries.ListAsync(
            dataSource, $"SELECT {SelectColumns} FROM proplets WHERE id = @id;", c => c.Add("id", NpgsqlDbType.Text, id), Read, cancellationToken).ConfigureAwait(false);
        return proplets.Count == 0 ? null : proplets[0];
    }

    public async Task UpdateAsync(Proplet proplet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proplet);
        const string sql = """
            UPDATE proplets SET name = @name, task_count = @task_count, alive_history = @alive_history,
                last_alive_at = @last_alive_at, offline = @offline, metadata = @metadata
            WHERE id = @id;
            """;
        RequireOne(await PostgresQueries.ExecuteAsync(dataSource, sql, c => Bind(c, proplet), cancellationToken).ConfigureAwait(false), proplet.Id);
    }

    public async Task UpdateMetadataAsync(string id, PropletMetadata? metadata, CancellationToken cancellationToken)
    {
        var changed = await PostgresQueries.ExecuteAsync(
            dataSource,
            "UPDATE proplets SET metadata = @metadata WHERE id = @id;",
            c =>
            {
                c.Add("id", NpgsqlDbType.Text, id);
                c.Add("metadata", NpgsqlDbType.Jsonb, PostgresValues.Json(metadata, Json.PropletMetadata));
            },
            cancellationToken).ConfigureAwait(false);
        RequireOne(changed, id);
    }

    public Task RecordHeartbeatAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        PostgresQueries.GuardAsync(async () =>
        {
            await RecordHeartbeatCoreAsync(id, at, cancellationToken).ConfigureAwait(false);
            return true;
        });

    private async Task RecordHeartbeatCoreAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // FOR UPDATE locks the row before the read, so two heartbeats cannot lose one another.
                using var read = new NpgsqlCommand("SELECT alive_history FROM proplets WHERE id = @id FOR UPDATE;", connection, transaction);
                read.Add("id", NpgsqlDbType.Text, id);
                if (await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string stored)
                {
                    throw new EntityNotFoundException($"proplet '{id}' not found");
                }

                var history = AliveHistory.Append(ParseHistory(stored), at);
                using var write = new NpgsqlCommand(
                    "UPDATE proplets SET alive_history = @alive_history, last_alive_at = @last_alive_at, offline = FALSE WHERE id = @id;", connection, transaction);
                write.Add("id", NpgsqlDbType.Text, id);
                write.Add("alive_history", NpgsqlDbType.Jsonb, HistoryJson(history));
                write.Add("last_alive_at", NpgsqlDbType.Text, PostgresValues.Time(history[^1]));
                await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task MarkOfflineAsync(string id, CancellationToken cancellationToken) =>
        RequireOne(
            await PostgresQueries.ExecuteAsync(dataSource, "UPDATE proplets SET offline = TRUE WHERE id = @id;", c => c.Add("id", NpgsqlDbType.Text, id), cancellationToken).ConfigureAwait(false),
            id);

    public async Task<ulong> AdjustTaskCountAsync(string id, long delta, CancellationToken cancellationToken)
    {
        // One statement: the read, the clamp to [0, long.MaxValue] and the write cannot interleave with another
        // adjustment; numeric arithmetic so that a huge delta clamps instead of overflowing.
        const string sql = """
            UPDATE proplets SET task_count = GREATEST(0, LEAST(9223372036854775807, task_count::numeric + @delta))::bigint
            WHERE id = @id RETURNING task_count;
            """;
        var count = await PostgresQueries.ScalarAsync(
            dataSource,
            sql,
            c =>
            {
                c.Add("id", NpgsqlDbType.Text, id);
                c.Add("delta", NpgsqlDbType.Bigint, delta);
            },
            cancellationToken).ConfigureAwait(false) ?? throw new EntityNotFoundException($"proplet '{id}' not found");
        return (ulong)(long)count;
    }

    public Task<Page<Proplet>> ListAsync(bool? alive, DateTimeOffset aliveSince, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        var from = alive switch
        {
            null => "proplets",
            true => $"proplets WHERE {AliveCondition}",
            false => $"proplets WHERE NOT {AliveCondition}",
        };
        var since = PostgresValues.Time(aliveSince);
        return PostgresQueries.PageAsync(
            dataSource, SelectColumns, from, "ORDER BY id", c => c.Add("since", NpgsqlDbType.Text, since), Read, offset, limit, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await PostgresQueries.ExecuteAsync(dataSource, "DELETE FROM proplets WHERE id = @id;", c => c.Add("id", NpgsqlDbType.Text, id), cancellationToken).ConfigureAwait(false) > 0;

    private static void RequireOne(int changed, string id)
    {
        if (changed == 0)
        {
            throw new EntityNotFoundException($"proplet '{id}' not found");
        }
    }

    private static void Bind(NpgsqlCommand command, Proplet proplet)
    {
        var history = AliveHistory.Trim(proplet.AliveHistory);
        command.Add("id", NpgsqlDbType.Text, proplet.Id);
        command.Add("name", NpgsqlDbType.Text, proplet.Name);
        command.Add("task_count", NpgsqlDbType.Bigint, (long)Math.Min(proplet.TaskCount, long.MaxValue));
        command.Add("alive_history", NpgsqlDbType.Jsonb, HistoryJson(history));
        command.Add("last_alive_at", NpgsqlDbType.Text, history.Length == 0 ? null : PostgresValues.Time(history[^1]));
        command.Add("offline", NpgsqlDbType.Boolean, proplet.Offline);
        command.Add("metadata", NpgsqlDbType.Jsonb, PostgresValues.Json(proplet.Metadata, Json.PropletMetadata));
    }

    private static Proplet Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Name = reader.GetString(1),
        TaskCount = (ulong)reader.GetInt64(2),
        AliveHistory = ParseHistory(reader.GetString(3)),
        Offline = reader.GetBoolean(4),
        Metadata = PostgresValues.ReadJson(reader, 5, Json.PropletMetadata),
    };

    private static string HistoryJson(IEnumerable<DateTimeOffset> history) =>
        JsonSerializer.Serialize(history.Select(PostgresValues.Time).ToList(), Json.ListString);

    private static DateTimeOffset[] ParseHistory(string json) =>
        (JsonSerializer.Deserialize(json, Json.ListString) ?? []).Select(PostgresValues.ParseTime).ToArray();
}
