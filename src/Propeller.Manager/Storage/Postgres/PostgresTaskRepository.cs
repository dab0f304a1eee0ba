using System.Text;
using Npgsql;
using NpgsqlTypes;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Storage.Postgres;

internal sealed class PostgresTaskRepository(NpgsqlDataSource dataSource) : ITaskRepository
{
    // The column order the reader below relies on.
    private static readonly string[] Columns =
    [
        "id", "name", "kind", "state", "image_url", "file", "cli_args", "inputs", "env", "daemon", "latent", "encrypted",
        "kbs_resource_path", "proplet_id", "depends_on", "run_if", "workflow_id", "job_id", "results", "error",
        "monitoring_profile", "start_time", "finish_time", "created_at", "updated_at", "mode", "schedule", "next_run",
        "is_recurring", "timezone", "broadcast", "priority", "metadata", "hal_storage_path", "requirements", "retry", "attempt",
    ];

    private static readonly string SelectColumns = string.Join(", ", Columns);

    private static readonly string InsertSql =
        $"INSERT INTO tasks ({SelectColumns}) VALUES ({string.Join(", ", Columns.Select(c => "@" + c))}) ON CONFLICT (id) DO NOTHING;";

    private static readonly string UpdateSql =
        $"UPDATE tasks SET {string.Join(", ", Columns.Skip(1).Select(c => $"{c} = @{c}"))} WHERE id = @id;";

    private const string Order = "ORDER BY created_at DESC, id ASC";

    private static PropellerJsonContext Json => PropellerJsonContext.Default;

    public async Task CreateAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (await PostgresQueries.ExecuteAsync(dataSource, InsertSql, c => Bind(c, task), cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new EntityConflictException($"task '{task.Id}' already exists");
        }
    }

    public async Task<PropellerTask?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var tasks = await PostgresQueries.ListAsync(
            dataSource, $"SELECT {SelectColumns} FROM tasks WHERE id = @id;", c => c.Add("id", NpgsqlDbType.Text, id), Read, cancellationToken).ConfigureAwait(false);
        return tasks.Count == 0 ? null : tasks[0];
    }

    public async Task UpdateAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (await PostgresQueries.ExecuteAsync(dataSource, UpdateSql, c => Bind(c, task), cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new EntityNotFoundException($"task '{task.Id}' not found");
        }
    }

    public Task<Page<PropellerTask>> ListAsync(TaskFilter filter, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var where = new StringBuilder("tasks WHERE TRUE");
        var binds = new List<Action<NpgsqlCommand>>();
        PostgresMetadataFilter.Append(filter.Metadata, where, binds);
        return PostgresQueries.PageAsync(
            dataSource, SelectColumns, where.ToString(), Order, c => binds.ForEach(b => b(c)), Read, offset, limit, cancellationToken);
    }

    public async Task<IReadOnlyList<PropellerTask>> ListByStateAsync(IReadOnlyCollection<TaskState> states, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0)
        {
            return [];
        }

        var values = states.Distinct().Select(s => (int)s).ToArray();
        return await PostgresQueries.ListAsync(
            dataSource,
            $"SELECT {SelectColumns} FROM tasks WHERE state = ANY(@states) {Order};",
            c => c.Add("states", NpgsqlDbType.Array | NpgsqlDbType.Integer, values),
            Read,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PropellerTask>> ListByWorkflowAsync(string workflowId, CancellationToken cancellationToken) =>
        await PostgresQueries.ListAsync(
            dataSource, $"SELECT {SelectColumns} FROM tasks WHERE workflow_id = @id {Order};", c => c.Add("id", NpgsqlDbType.Text, workflowId), Read, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<PropellerTask>> ListByJobAsync(string jobId, CancellationToken cancellationToken) =>
        await PostgresQueries.ListAsync(
            dataSource, $"SELECT {SelectColumns} FROM tasks WHERE job_id = @id {Order};", c => c.Add("id", NpgsqlDbType.Text, jobId), Read, cancellationToken).ConfigureAwait(false);

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await PostgresQueries.ExecuteAsync(dataSource, "DELETE FROM tasks WHERE id = @id;", c => c.Add("id", NpgsqlDbType.Text, id), cancellationToken).ConfigureAwait(false) > 0;

    private static void Bind(NpgsqlCommand command, PropellerTask task)
    {
        command.Add("id", NpgsqlDbType.Text, task.Id);
        command.Add("name", NpgsqlDbType.Text, task.Name);
        command.Add("kind", NpgsqlDbType.Text, task.Kind);
        command.Add("state", NpgsqlDbType.Integer, (int)task.State);
        command.Add("image_url", NpgsqlDbType.Text, task.ImageUrl);
        command.Add("file", NpgsqlDbType.Bytea, task.File);
        command.Add("cli_args", NpgsqlDbType.Jsonb, PostgresValues.Json(ToList(task.CliArgs), Json.ListString));
        command.Add("inputs", NpgsqlDbType.Jsonb, PostgresValues.Json(ToList(task.Inputs), Json.ListString));
        command.Add("env", NpgsqlDbType.Jsonb, PostgresValues.Json(task.Env is null ? null : new Dictionary<string, string>(task.Env), Json.DictionaryStringString));
        command.Add("daemon", NpgsqlDbType.Boolean, task.Daemon);
        command.Add("latent", NpgsqlDbType.Boolean, task.Latent);
        command.Add("encrypted", NpgsqlDbType.Boolean, task.Encrypted);
        command.Add("kbs_resource_path", NpgsqlDbType.Text, task.KbsResourcePath);
        command.Add("proplet_id", NpgsqlDbType.Text, task.PropletId);
        command.Add("depends_on", NpgsqlDbType.Jsonb, PostgresValues.Json(ToList(task.DependsOn), Json.ListString));
        command.Add("run_if", NpgsqlDbType.Text, task.RunIf);
        command.Add("workflow_id", NpgsqlDbType.Text, task.WorkflowId);
        command.Add("job_id", NpgsqlDbType.Text, task.JobId);
        // json, not jsonb: a result comes back exactly as the proplet reported it (key order, number spelling).
        command.Add("results", NpgsqlDbType.Json, PostgresValues.Json(task.Results, Json.JsonElement));
        command.Add("error", NpgsqlDbType.Text, task.Error);
        command.Add("monitoring_profile", NpgsqlDbType.Jsonb, PostgresValues.Json(task.MonitoringProfile, Json.MonitoringProfile));
        command.Add("start_time", NpgsqlDbType.Text, PostgresValues.Time(task.StartTime));
        command.Add("finish_time", NpgsqlDbType.Text, PostgresValues.Time(task.FinishTime));
        command.Add("created_at", NpgsqlDbType.Text, PostgresValues.Time(task.CreatedAt));
        command.Add("updated_at", NpgsqlDbType.Text, PostgresValues.Time(task.UpdatedAt));
        command.Add("mode", NpgsqlDbType.Text, task.Mode);
        command.Add("schedule", NpgsqlDbType.Text, task.Schedule);
        command.Add("next_run", NpgsqlDbType.Text, PostgresValues.Time(task.NextRun));
        command.Add("is_recurring", NpgsqlDbType.Boolean, task.IsRecurring);
        command.Add("timezone", NpgsqlDbType.Text, task.Timezone);
        command.Add("broadcast", NpgsqlDbType.Boolean, task.Broadcast);
        command.Add("priority", NpgsqlDbType.Integer, task.Priority);
        command.Add("metadata", NpgsqlDbType.Jsonb, PostgresValues.Json(task.Metadata is null ? null : new Dictionary<string, System.Text.Json.JsonElement>(task.Metadata), Json.DictionaryStringJsonElement));
        command.Add("hal_storage_path", NpgsqlDbType.Text, task.HalStoragePath);
        command.Add("requirements", NpgsqlDbType.Jsonb, PostgresValues.Json(task.Requirements, Json.TaskRequirements));
        command.Add("retry", NpgsqlDbType.Jsonb, PostgresValues.Json(task.Retry, Json.TaskRetryPolicy));
        command.Add("attempt", NpgsqlDbType.Integer, task.Attempt);
    }

    private static List<string>? ToList(IReadOnlyList<string>? values) => values is null ? null : [.. values];

    private static PropellerTask Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        Kind = PostgresValues.ReadText(r, 2),
        State = (TaskState)r.GetInt32(3),
        ImageUrl = PostgresValues.ReadText(r, 4),
        File = r.IsDBNull(5) ? null : r.GetFieldValue<byte[]>(5),
        CliArgs = PostgresValues.ReadJson(r, 6, Json.ListString),
        Inputs = PostgresValues.ReadJson(r, 7, Json.ListString),
        Env = PostgresValues.ReadJson(r, 8, Json.DictionaryStringString),
        Daemon = r.GetBoolean(9),
        Latent = r.GetBoolean(10),
        Encrypted = r.GetBoolean(11),
        KbsResourcePath = PostgresValues.ReadText(r, 12),
        PropletId = PostgresValues.ReadText(r, 13),
        DependsOn = PostgresValues.ReadJson(r, 14, Json.ListString),
        RunIf = PostgresValues.ReadText(r, 15),
        WorkflowId = PostgresValues.ReadText(r, 16),
        JobId = PostgresValues.ReadText(r, 17),
        Results = PostgresValues.ReadJsonElement(r, 18, Json.JsonElement),
        Error = PostgresValues.ReadText(r, 19),
        MonitoringProfile = PostgresValues.ReadJson(r, 20, Json.MonitoringProfile),
        StartTime = PostgresValues.ReadTime(r, 21),
        FinishTime = PostgresValues.ReadTime(r, 22),
        CreatedAt = PostgresValues.ReadTime(r, 23),
        UpdatedAt = PostgresValues.ReadTime(r, 24),
        Mode = PostgresValues.ReadText(r, 25),
        Schedule = PostgresValues.ReadText(r, 26),
        NextRun = PostgresValues.ReadTime(r, 27),
        IsRecurring = r.GetBoolean(28),
        Timezone = PostgresValues.ReadText(r, 29),
        Broadcast = r.GetBoolean(30),
        Priority = r.GetInt32(31),
        Metadata = PostgresValues.ReadJson(r, 32, Json.DictionaryStringJsonElement),
        HalStoragePath = PostgresValues.ReadText(r, 33),
        Requirements = PostgresValues.ReadJson(r, 34, Json.TaskRequirements),
        Retry = PostgresValues.ReadJson(r, 35, Json.TaskRetryPolicy),
        Attempt = r.GetInt32(36),
    };
}
