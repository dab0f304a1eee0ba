namespace Propeller.Manager.Storage.Sqlite;

internal sealed class SqliteTaskPropletRepository(SqliteConnectionFactory connections) : ITaskPropletRepository
{
    public async Task UpsertAsync(string taskId, string propletId, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // The foreign keys would refuse an unknown id too; checking first says which one is missing.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var check = connection.CreateCommand();
            check.Transaction = transaction;
            check.CommandText = "SELECT EXISTS (SELECT 1 FROM tasks WHERE id = $task_id), EXISTS (SELECT 1 FROM proplets WHERE id = $proplet_id);";
            check.Add("$task_id", taskId);
            check.Add("$proplet_id", propletId);
            var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (!reader.GetBoolean(0))
                {
                    throw new EntityNotFoundException($"task '{taskId}' not found");
                }

                if (!reader.GetBoolean(1))
                {
                    throw new EntityNotFoundException($"proplet '{propletId}' not found");
                }
            }

            using var upsert = connection.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO task_proplets (task_id, proplet_id, created_at) VALUES ($task_id, $proplet_id, $at)
                ON CONFLICT (task_id) DO UPDATE SET proplet_id = excluded.proplet_id, created_at = excluded.created_at;
                """;
            upsert.Add("$task_id", taskId);
            upsert.Add("$proplet_id", propletId);
            upsert.Add("$at", SqliteValues.Time(DateTimeOffset.UtcNow));
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<string?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT proplet_id FROM task_proplets WHERE task_id = $task_id;";
            command.Add("$task_id", taskId);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
    }

    public async Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM task_proplets WHERE task_id = $task_id;";
            command.Add("$task_id", taskId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
    }
}
