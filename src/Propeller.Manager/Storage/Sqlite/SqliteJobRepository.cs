using Microsoft.Data.Sqlite;
using Propeller.Manager.Jobs;

namespace Propeller.Manager.Storage.Sqlite;

internal sealed class SqliteJobRepository(SqliteConnectionFactory connections) : IJobRepository
{
    private const string SelectColumns = "id, name, execution_mode, created_at, updated_at";

    private const string Order = "ORDER BY created_at DESC, id ASC";

    public async Task CreateAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        const string sql = """
            INSERT INTO jobs (id, name, execution_mode, created_at, updated_at)
            VALUES ($id, $name, $execution_mode, $created_at, $updated_at)
            ON CONFLICT (id) DO NOTHING;
            """;
        if (await ExecuteAsync(sql, c => Bind(c, job), cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new EntityConflictException($"job '{job.Id}' already exists");
        }
    }

    public async Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var jobs = await QueryAsync($"SELECT {SelectColumns} FROM jobs WHERE id = $id;", c => c.Add("$id", id), cancellationToken).ConfigureAwait(false);
        return jobs.Count == 0 ? null : jobs[0];
    }

    public async Task UpdateAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        const string sql = """
            UPDATE jobs SET name = $name, execution_mode = $execution_mode, created_at = $created_at, updated_at = $updated_at
            WHERE id = $id;
            """;
        if (await ExecuteAsync(sql, c => Bind(c, job), cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new EntityNotFoundException($"job '{job.Id}' not found");
        }
    }

    public async Task<Page<JobRecord>> ListAsync(ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One read transaction: the total and the page come from the same snapshot.
            using var transaction = connection.BeginTransaction(deferred: true);
            using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = "SELECT COUNT(*) FROM jobs;";
            var total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

            using var page = connection.CreateCommand();
            page.Transaction = transaction;
            page.CommandText = $"SELECT {SelectColumns} FROM jobs {Order} LIMIT $limit OFFSET $offset;";
            page.Add("$limit", SqliteValues.Bound(limit));
            page.Add("$offset", SqliteValues.Bound(offset));
            return new Page<JobRecord>(await ReadAllAsync(page, cancellationToken).ConfigureAwait(false), (ulong)total);
        }
    }

    public Task<IReadOnlyList<JobRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SelectColumns} FROM jobs {Order};", _ => { }, cancellationToken);

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await ExecuteAsync("DELETE FROM jobs WHERE id = $id;", c => c.Add("$id", id), cancellationToken).ConfigureAwait(false) > 0;

    private static void Bind(SqliteCommand command, JobRecord job)
    {
        command.Add("$id", job.Id);
        command.Add("$name", job.Name ?? "");
        command.Add("$execution_mode", job.ExecutionMode ?? "");
        command.Add("$created_at", SqliteValues.Time(job.CreatedAt));
        command.Add("$updated_at", SqliteValues.Time(job.UpdatedAt));
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

    private async Task<IReadOnlyList<JobRecord>> QueryAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<List<JobRecord>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var jobs = new List<JobRecord>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                jobs.Add(new JobRecord
                {
                    Id = reader.GetString(0),
                    Name = reader.GetString(1),
                    ExecutionMode = reader.GetString(2),
                    CreatedAt = SqliteValues.ReadTime(reader, 3),
                    UpdatedAt = SqliteValues.ReadTime(reader, 4),
                });
            }
        }

        return jobs;
    }
}
