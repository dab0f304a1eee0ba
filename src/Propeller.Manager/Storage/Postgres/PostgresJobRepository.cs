using Npgsql;
using NpgsqlTypes;
using Propeller.Manager.Jobs;

namespace Propeller.Manager.Storage.Postgres;

internal sealed class PostgresJobRepository(NpgsqlDataSource dataSource) : IJobRepository
{
    private const string SelectColumns = "id, name, execution_mode, created_at, updated_at";

    private const string Order = "ORDER BY created_at DESC, id ASC";

    public async Task CreateAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        const string sql = """
            INSERT INTO jobs (id, name, execution_mode, created_at, updated_at)
            VALUES (@id, @name, @execution_mode, @created_at, @updated_at)
            ON CONFLICT (id) DO NOTHING;
            """;
        if (await PostgresQueries.ExecuteAsync(dataSource, sql, c => Bind(c, job), cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new EntityConflictException($"job '{job.Id}' already exists");
        }
    }

    public async Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var jobs = await PostgresQueries.ListAsync(
            dataSource, $"SELECT {SelectColumns} FROM jobs WHERE id = @id;", c => c.Add("id", NpgsqlDbType.Text, id), Read, cancellationToken).ConfigureAwait(false);
        return jobs.Count == 0 ? null : jobs[0];
    }

    public async Task UpdateAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        const string sql = """
            UPDATE jobs SET name = @name, execution_mode = @execution_mode, created_at = @created_at, updated_at = @updated_at
            WHERE id = @id;
            """;
        if (await PostgresQueries.ExecuteAsync(dataSource, sql, c => Bind(c, job), cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new EntityNotFoundException($"job '{job.Id}' not found");
        }
    }

    public Task<Page<JobRecord>> ListAsync(ulong offset, ulong limit, CancellationToken cancellationToken) =>
        PostgresQueries.PageAsync(dataSource, SelectColumns, "jobs", Order, _ => { }, Read, offset, limit, cancellationToken);

    public async Task<IReadOnlyList<JobRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        await PostgresQueries.ListAsync(dataSource, $"SELECT {SelectColumns} FROM jobs {Order};", _ => { }, Read, cancellationToken).ConfigureAwait(false);

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await PostgresQueries.ExecuteAsync(dataSource, "DELETE FROM jobs WHERE id = @id;", c => c.Add("id", NpgsqlDbType.Text, id), cancellationToken).ConfigureAwait(false) > 0;

    private static void Bind(NpgsqlCommand command, JobRecord job)
    {
        command.Add("id", NpgsqlDbType.Text, job.Id);
        command.Add("name", NpgsqlDbType.Text, job.Name ?? "");
        command.Add("execution_mode", NpgsqlDbType.Text, job.ExecutionMode ?? "");
        command.Add("created_at", NpgsqlDbType.Text, PostgresValues.Time(job.CreatedAt));
        command.Add("updated_at", NpgsqlDbType.Text, PostgresValues.Time(job.UpdatedAt));
    }

    private static JobRecord Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Name = reader.GetString(1),
        ExecutionMode = reader.GetString(2),
        CreatedAt = PostgresValues.ReadTime(reader, 3),
        UpdatedAt = PostgresValues.ReadTime(reader, 4),
    };
}
