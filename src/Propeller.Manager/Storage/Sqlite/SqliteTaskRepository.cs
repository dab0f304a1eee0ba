using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Storage.Sqlite;

internal sealed class SqliteTaskRepository(SqliteConnectionFactory connections) : ITaskRepository
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
        $"INSERT INTO tasks ({SelectColumns}) VALUES ({string.Join(", ", Columns.Select(c => "$" + c))}) ON CONFLICT (id) DO NOTHING;";

    private static readonly string UpdateSql =
        $"UPDATE tasks SET {string.Join(", ", Columns.Skip(1).Select(c => $"{c} = ${c}"))} WHERE id = $id;";

    private const string Order = "ORDER BY created_at DESC, id ASC";

    private static PropellerJsonContext Json => PropellerJsonContext.Default;

    public async Task CreateAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (await WriteAsync(InsertSql, task, cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new EntityConflictException($"task '{task.Id}' already exists");
        }
    }

    public async Task<PropellerTask?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var tasks = await QueryAsync($"SELECT {SelectColumns} FROM tasks WHERE id = $id;", c => c.Add("$id", id), cancellationToken).ConfigureAwait(false);
        return tasks.Count == 0 ? null : tasks[0];
    }

    public async Task UpdateAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (await WriteAsync(UpdateSql, task, cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new EntityNotFoundException($"task '{task.Id}' not found");
        }
    }

    public async Task<Page<PropellerTask>> ListAsync(TaskFilter filter, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new List<SqliteParameter>();
        SqliteMetadataFilter.Append(filter.Metadata, where, parameters);

        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One read transaction: the total and the page come from the same snapshot.
            using var transaction = connection.BeginTransaction(deferred: true);
            using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = $"SELECT COUNT(*) FROM tasks {where};";
            count.Parameters.AddRange(parameters.Select(Clone).ToArray()); // a parameter belongs to one command
            var total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

            using var page = connection.CreateCommand();
            page.Transaction = transaction;
            page.CommandText = $"SELECT {SelectColumns} FROM tasks {where} {Order} LIMIT $limit OFFSET $offset;";
            page.Parameters.AddRange(parameters.ToArray());
            page.Add("$limit", SqliteValues.Bound(limit));
            page.Add("$offset", SqliteValues.Bound(offset));
            var items = await ReadAllAsync(page, cancellationToken).ConfigureAwait(false);
            return new Page<PropellerTask>(items, (ulong)total);
        }
    }

    public async Task<IReadOnlyList<PropellerTask>> ListByStateAsync(IReadOnlyCollection<TaskState> states, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0)
        {
            return [];
        }

        var values = states.Distinct().ToList();
        var names = values.Select((_, i) => string.Create(CultureInfo.InvariantCulture, $"$s{i}")).ToList();
        return await QueryAsync(
            $"SELECT {SelectColumns} FROM tasks WHERE state IN ({string.Join(", ", names)}) {Order};",
            c =>
            {
                for (var i = 0; i < values.Count; i++)
                {
                    c.Add(names[i], (int)values[i]);
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<PropellerTask>> ListByWorkflowAsync(string workflowId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SelectColumns} FROM tasks WHERE workflow_id = $id {Order};", c => c.Add("$id", workflowId), cancellationToken);

    public Task<IReadOnlyList<PropellerTask>> ListByJobAsync(string jobId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SelectColumns} FROM tasks WHERE job_id = $id {Order};", c => c.Add("$id", jobId), cancellationToken);

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM tasks WHERE id = $id;";
            command.Add("$id", id);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
    }

    private async Task<int> WriteAsync(string sql, PropellerTask task, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            Bind(command, task);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<PropellerTask>> QueryAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
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

    private static async Task<List<PropellerTask>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var tasks = new List<PropellerTask>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                tasks.Add(Read(reader));
            }
        }

        return tasks;
    }

    private static SqliteParameter Clone(SqliteParameter parameter) => new(parameter.ParameterName, parameter.Value);

    private static void Bind(SqliteCommand command, PropellerTask task)
    {
        command.Add("$id", task.Id);
        command.Add("$name", task.Name);
        command.Add("$kind", SqliteValues.Text(task.Kind));
        command.Add("$state", (int)task.State);
        command.Add("$image_url", SqliteValues.Text(task.ImageUrl));
        command.Add("$file", (object?)task.File ?? DBNull.Value);
        command.Add("$cli_args", SqliteValues.Json(ToList(task.CliArgs), Json.ListString));
        command.Add("$inputs", SqliteValues.Json(ToList(task.Inputs), Json.ListString));
        command.Add("$env", SqliteValues.Json(task.Env is null ? null : new Dictionary<string, string>(task.Env), Json.DictionaryStringString));
        command.Add("$daemon", task.Daemon);
        command.Add("$latent", task.Latent);
        command.Add("$encrypted", task.Encrypted);
        command.Add("$kbs_resource_path", SqliteValues.Text(task.KbsResourcePath));
        command.Add("$proplet_id", SqliteValues.Text(task.PropletId));
        command.Add("$depends_on", SqliteValues.Json(ToList(task.DependsOn), Json.ListString));
        command.Add("$run_if", SqliteValues.Text(task.RunIf));
        command.Add("$workflow_id", SqliteValues.Text(task.WorkflowId));
        command.Add("$job_id", SqliteValues.Text(task.JobId));
        command.Add("$results", SqliteValues.Json(task.Results, Json.JsonElement));
        command.Add("$error", SqliteValues.Text(task.Error));
        command.Add("$monitoring_profile", SqliteValues.Json(task.MonitoringProfile, Json.MonitoringProfile));
        command.Add("$start_time", SqliteValues.Time(task.StartTime));
        command.Add("$finish_time", SqliteValues.Time(task.FinishTime));
        command.Add("$created_at", SqliteValues.Time(task.CreatedAt));
        command.Add("$updated_at", SqliteValues.Time(task.UpdatedAt));
        command.Add("$mode", SqliteValues.Text(task.Mode));
        command.Add("$schedule", SqliteValues.Text(task.Schedule));
        command.Add("$next_run", SqliteValues.Time(task.NextRun));
        command.Add("$is_recurring", task.IsRecurring);
        command.Add("$timezone", SqliteValues.Text(task.Timezone));
        command.Add("$broadcast", task.Broadcast);
        command.Add("$priority", task.Priority);
        command.Add("$metadata", SqliteValues.Json(task.Metadata is null ? null : new Dictionary<string, System.Text.Json.JsonElement>(task.Metadata), Json.DictionaryStringJsonElement));
        command.Add("$hal_storage_path", SqliteValues.Text(task.HalStoragePath));
        command.Add("$requirements", SqliteValues.Json(task.Requirements, Json.TaskRequirements));
        command.Add("$retry", SqliteValues.Json(task.Retry, Json.TaskRetryPolicy));
        command.Add("$attempt", task.Attempt);
    }

    private static List<string>? ToList(IReadOnlyList<string>? values) => values is null ? null : [.. values];

    private static PropellerTask Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        Kind = SqliteValues.ReadText(r, 2),
        State = (TaskState)r.GetInt32(3),
        ImageUrl = SqliteValues.ReadText(r, 4),
        File = r.IsDBNull(5) ? null : (byte[])r.GetValue(5),
        CliArgs = SqliteValues.ReadJson(r, 6, Json.ListString),
        Inputs = SqliteValues.ReadJson(r, 7, Json.ListString),
        Env = SqliteValues.ReadJson(r, 8, Json.DictionaryStringString),
        Daemon = r.GetBoolean(9),
        Latent = r.GetBoolean(10),
        Encrypted = r.GetBoolean(11),
        KbsResourcePath = SqliteValues.ReadText(r, 12),
        PropletId = SqliteValues.ReadText(r, 13),
        DependsOn = SqliteValues.ReadJson(r, 14, Json.ListString),
        RunIf = SqliteValues.ReadText(r, 15),
        WorkflowId = SqliteValues.ReadText(r, 16),
        JobId = SqliteValues.ReadText(r, 17),
        Results = SqliteValues.ReadJsonElement(r, 18, Json.JsonElement),
        Error = SqliteValues.ReadText(r, 19),
        MonitoringProfile = SqliteValues.ReadJson(r, 20, Json.MonitoringProfile),
        StartTime = SqliteValues.ReadTime(r, 21),
        FinishTime = SqliteValues.ReadTime(r, 22),
        CreatedAt = SqliteValues.ReadTime(r, 23),
        UpdatedAt = SqliteValues.ReadTime(r, 24),
        Mode = SqliteValues.ReadText(r, 25),
        Schedule = SqliteValues.ReadText(r, 26),
        NextRun = SqliteValues.ReadTime(r, 27),
        IsRecurring = r.GetBoolean(28),
        Timezone = SqliteValues.ReadText(r, 29),
        Broadcast = r.GetBoolean(30),
        Priority = r.GetInt32(31),
        Metadata = SqliteValues.ReadJson(r, 32, Json.DictionaryStringJsonElement),
        HalStoragePath = SqliteValues.ReadText(r, 33),
        Requirements = SqliteValues.ReadJson(r, 34, Json.TaskRequirements),
        Retry = SqliteValues.ReadJson(r, 35, Json.TaskRetryPolicy),
        Attempt = r.GetInt32(36),
    };
}
