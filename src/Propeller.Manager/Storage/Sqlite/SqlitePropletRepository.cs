using Microsoft.Data.Sqlite;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Storage.Sqlite;

/// <summary>
/// Proplets. <c>alive_history</c> holds the heartbeat times as a JSON array, oldest first; <c>last_alive_at</c>
/// repeats its last entry so the liveness listing is a plain indexed comparison.
/// </summary>
internal sealed class SqlitePropletRepository(SqliteConnectionFactory connections) : IPropletRepository
{
    private const string SelectColumns = "id, name, task_count, alive_history, offline, metadata";

    private const string AliveCondition = "(offline = 0 AND last_alive_at IS NOT NULL AND last_alive_at >= $since)";

    private readonly SqliteHeartbeatWriter _heartbeats = new(connections, ParseHistory, HistoryJson);

    private static PropellerJsonContext Json => PropellerJsonContext.Default;

    public async Task CreateAsync(Proplet proplet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proplet);
        const string sql = """
            INSERT INTO proplets (id, name, task_count, alive_history, last_alive_at, offline, metadata)
            VALUES ($id, $name, $task_count, $alive_history, $last_alive_at, $offline, $metadata)
            ON CONFLICT (id) DO NOTHING;
            """;
        if (await ExecuteAsync(sql, c => Bind(c, proplet), cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new EntityConflictException($"proplet '{proplet.Id}' already exists");
        }
    }

    public async Task<Proplet?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {SelectColumns} FROM proplets WHERE id = $id;";
            command.Add("$id", id);
            var proplets = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
            return proplets.Count == 0 ? null : proplets[0];
        }
    }

    public async Task UpdateAsync(Proplet proplet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proplet);
        const string sql = """
            UPDATE proplets SET name = $name, task_count = $task_count, alive_history = $alive_history,
                last_alive_at = $last_alive_at, offline = $offline, metadata = $metadata
            WHERE id = $id;
            """;
        RequireOne(await ExecuteAsync(sql, c => Bind(c, proplet), cancellationToken).ConfigureAwait(false), proplet.Id);
    }

    public async Task UpdateMetadataAsync(string id, PropletMetadata? metadata, CancellationToken cancellationToken)
    {
        var changed = await ExecuteAsync(
            "UPDATE proplets SET metadata = $metadata WHERE id = $id;",
            c =>
            {
                c.Add("$id", id);
                c.Add("$metadata", SqliteValues.Json(metadata, Json.PropletMetadata));
            },
            cancellationToken).ConfigureAwait(false);
        RequireOne(changed, id);
    }

    public Task RecordHeartbeatAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        _heartbeats.RecordAsync(id, at, cancellationToken);

    public async Task MarkOfflineAsync(string id, CancellationToken cancellationToken) =>
        RequireOne(await ExecuteAsync("UPDATE proplets SET offline = 1 WHERE id = $id;", c => c.Add("$id", id), cancellationToken).ConfigureAwait(false), id);

    public async Task<ulong> AdjustTaskCountAsync(string id, long delta, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One statement: the read, the clamp at zero and the write cannot interleave with another adjustment.
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE proplets SET task_count = MAX(0, task_count + $delta) WHERE id = $id RETURNING task_count;";
            command.Add("$id", id);
            command.Add("$delta", delta);
            var count = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new EntityNotFoundException($"proplet '{id}' not found");
            return (ulong)(long)count;
        }
    }

    public async Task<Page<Proplet>> ListAsync(bool? alive, DateTimeOffset aliveSince, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        var where = alive switch
        {
            null => "",
            true => $"WHERE {AliveCondition}",
            false => $"WHERE NOT {AliveCondition}",
        };
        var since = SqliteValues.Time(aliveSince);

        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One read transaction: the total and the page come from the same snapshot.
            using var transaction = connection.BeginTransaction(deferred: true);
            using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = $"SELECT COUNT(*) FROM proplets {where};";
            count.Add("$since", since);
            var total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

            using var page = connection.CreateCommand();
            page.Transaction = transaction;
            page.CommandText = $"SELECT {SelectColumns} FROM proplets {where} ORDER BY id LIMIT $limit OFFSET $offset;";
            page.Add("$since", since);
            page.Add("$limit", SqliteValues.Bound(limit));
            page.Add("$offset", SqliteValues.Bound(offset));
            return new Page<Proplet>(await ReadAllAsync(page, cancellationToken).ConfigureAwait(false), (ulong)total);
        }
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await ExecuteAsync("DELETE FROM proplets WHERE id = $id;", c => c.Add("$id", id), cancellationToken).ConfigureAwait(false) > 0;

    private static void RequireOne(int changed, string id)
    {
        if (changed == 0)
        {
            throw new EntityNotFoundException($"proplet '{id}' not found");
        }
    }

    private async Task<int> ExecuteAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Bind(SqliteCommand command, Proplet proplet)
    {
        var history = AliveHistory.Trim(proplet.AliveHistory);
        command.Add("$id", proplet.Id);
        command.Add("$name", proplet.Name);
        command.Add("$task_count", (long)Math.Min(proplet.TaskCount, long.MaxValue));
        command.Add("$alive_history", HistoryJson(history));
        command.Add("$last_alive_at", history.Length == 0 ? DBNull.Value : SqliteValues.Time(history[^1]));
        command.Add("$offline", proplet.Offline);
        command.Add("$metadata", SqliteValues.Json(proplet.Metadata, Json.PropletMetadata));
    }

    private static async Task<List<Proplet>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var proplets = new List<Proplet>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                proplets.Add(new Proplet
                {
                    Id = reader.GetString(0),
                    Name = reader.GetString(1),
                    TaskCount = (ulong)reader.GetInt64(2),
                    AliveHistory = ParseHistory(reader.GetString(3)),
                    Offline = reader.GetBoolean(4),
                    Metadata = SqliteValues.ReadJson(reader, 5, Json.PropletMetadata),
                });
            }
        }

        return proplets;
    }

    private static string HistoryJson(IEnumerable<DateTimeOffset> history) =>
        System.Text.Json.JsonSerializer.Serialize(history.Select(SqliteValues.Time).ToList(), Json.ListString);

    private static DateTimeOffset[] ParseHistory(string json) =>
        (System.Text.Json.JsonSerializer.Deserialize(json, Json.ListString) ?? []).Select(SqliteValues.ParseTime).ToArray();
}
