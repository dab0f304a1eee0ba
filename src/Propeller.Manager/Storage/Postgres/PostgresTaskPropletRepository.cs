using Npgsql;
using NpgsqlTypes;

namespace Propeller.Manager.Storage.Postgres;

internal sealed class PostgresTaskPropletRepository(NpgsqlDataSource dataSource) : ITaskPropletRepository
{
    public async Task UpsertAsync(string taskId, string propletId, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO task_proplets (task_id, proplet_id, created_at) VALUES (@task_id, @proplet_id, @at)
            ON CONFLICT (task_id) DO UPDATE SET proplet_id = excluded.proplet_id, created_at = excluded.created_at;
            """;
        try
        {
            await PostgresQueries.ExecuteAsync(
                dataSource,
                sql,
                c =>
                {
                    c.Add("task_id", NpgsqlDbType.Text, taskId);
                    c.Add("proplet_id", NpgsqlDbType.Text, propletId);
                    c.Add("at", NpgsqlDbType.Text, PostgresValues.Time(DateTimeOffset.UtcNow));
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (PostgresErrors.IsForeignKeyViolation(ex, "task_proplets_task_fk"))
        {
            // The named constraint says which side is missing, in the same statement that tried the write.
            throw new EntityNotFoundException($"task '{taskId}' not found", ex);
        }
        catch (PostgresException ex) when (PostgresErrors.IsForeignKeyViolation(ex, "task_proplets_proplet_fk"))
        {
            throw new EntityNotFoundException($"proplet '{propletId}' not found", ex);
        }
    }

    public async Task<string?> GetAsync(string taskId, CancellationToken cancellationToken) =>
        await PostgresQueries.ScalarAsync(
            dataSource, "SELECT proplet_id FROM task_proplets WHERE task_id = @task_id;", c => c.Add("task_id", NpgsqlDbType.Text, taskId), cancellationToken).ConfigureAwait(false) as string;

    public async Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken) =>
        await PostgresQueries.ExecuteAsync(
            dataSource, "DELETE FROM task_proplets WHERE task_id = @task_id;", c => c.Add("task_id", NpgsqlDbType.Text, taskId), cancellationToken).ConfigureAwait(false) > 0;
}
