using Microsoft.Data.Sqlite;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Storage.Sqlite;

/// <summary>
/// Writes heartbeats in batches: every heartbeat that arrives while a batch is being written joins the next one, and
/// a batch is one transaction. A fleet of 5,000 proplets sends about 1,000 heartbeats a second; one transaction each
/// kept SQLite's single writer busy enough to starve everything else (docs/performance.md). Each caller still learns
/// the outcome of its own heartbeat.
/// </summary>
internal sealed class SqliteHeartbeatWriter(
    SqliteConnectionFactory connections,
    Func<string, DateTimeOffset[]> parseHistory,
    Func<IEnumerable<DateTimeOffset>, string> historyJson)
{
    // Bounds one transaction, so a backlog is written in steps rather than holding the write lock for long.
    private const int MaxBatch = 500;

    private readonly Lock _gate = new();
    private List<PendingHeartbeat> _queue = [];
    private bool _writing;

    /// <summary>Completes when the heartbeat is stored; throws <see cref="EntityNotFoundException"/> for an unknown id.</summary>
    public Task RecordAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var pending = new PendingHeartbeat(id, at);
        bool startWriter;
        lock (_gate)
        {
            _queue.Add(pending);
            startWriter = !_writing;
            _writing = true;
        }

        if (startWriter)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        return pending.Stored.Task.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<PendingHeartbeat> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }

                if (_queue.Count <= MaxBatch)
                {
                    batch = _queue;
                    _queue = [];
                }
                else
                {
                    batch = _queue.GetRange(0, MaxBatch);
                    _queue.RemoveRange(0, MaxBatch);
                }
            }

            try
            {
                var missing = await WriteAsync(batch).ConfigureAwait(false);
                foreach (var pending in batch)
                {
                    if (missing.Contains(pending))
                    {
                        pending.Stored.TrySetException(new EntityNotFoundException($"proplet '{pending.Id}' not found"));
                    }
                    else
                    {
                        pending.Stored.TrySetResult();
                    }
                }
            }
            catch (Exception e)
            {
                // The whole transaction failed (the database is gone or locked past the busy timeout): every
                // heartbeat of the batch reports it, as each would have on its own.
                foreach (var pending in batch)
                {
                    pending.Stored.TrySetException(e);
                }
            }
        }
    }

    private async Task<HashSet<PendingHeartbeat>> WriteAsync(List<PendingHeartbeat> batch)
    {
        var missing = new HashSet<PendingHeartbeat>();
        var connection = await connections.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // BEGIN IMMEDIATE takes the write lock before the reads, so no other writer can interleave.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "SELECT alive_history FROM proplets WHERE id = $id;";
            var readId = read.Parameters.Add("$id", SqliteType.Text);
            using var write = connection.CreateCommand();
            write.Transaction = transaction;
            write.CommandText = "UPDATE proplets SET alive_history = $alive_history, last_alive_at = $last_alive_at, offline = 0 WHERE id = $id;";
            var writeId = write.Parameters.Add("$id", SqliteType.Text);
            var writeHistory = write.Parameters.Add("$alive_history", SqliteType.Text);
            var writeLast = write.Parameters.Add("$last_alive_at", SqliteType.Text);

            // In arrival order: two heartbeats of one proplet in a batch append in the order they came.
            foreach (var pending in batch)
            {
                readId.Value = pending.Id;
                if (await read.ExecuteScalarAsync().ConfigureAwait(false) is not string stored)
                {
                    missing.Add(pending);
                    continue;
                }

                var history = AliveHistory.Append(parseHistory(stored), pending.At);
                writeId.Value = pending.Id;
                writeHistory.Value = historyJson(history);
                writeLast.Value = SqliteValues.Time(history[^1]);
                await write.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            await transaction.CommitAsync().ConfigureAwait(false);
        }

        return missing;
    }

    private sealed class PendingHeartbeat(string id, DateTimeOffset at)
    {
        public string Id { get; } = id;

        public DateTimeOffset At { get; } = at;

        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
