using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Propeller.Manager.Storage.Sqlite;

/// <summary>An embedded SQLite database file (<c>MANAGER_SQLITE_PATH</c>): state survives a manager restart.</summary>
internal sealed class SqliteStore : IPropellerStore
{
    private readonly SqliteConnectionFactory _connections;
    private readonly ILogger<SqliteStore> _logger;

    public SqliteStore(string path, ILogger<SqliteStore> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _connections = new SqliteConnectionFactory(path);
        _logger = logger;
        Tasks = new SqliteTaskRepository(_connections);
        Proplets = new SqlitePropletRepository(_connections);
        TaskProplets = new SqliteTaskPropletRepository(_connections);
        Metrics = new SqliteMetricsRepository(_connections);
        Jobs = new SqliteJobRepository(_connections);
    }

    public ITaskRepository Tasks { get; }

    public IPropletRepository Proplets { get; }

    public ITaskPropletRepository TaskProplets { get; }

    public IMetricsRepository Metrics { get; }

    public IJobRepository Jobs { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(_connections.Path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // WAL is a property of the file, so setting it once is enough; it cannot change inside a transaction.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);

            // BEGIN IMMEDIATE: two managers starting on one file apply each step once.
            using var transaction = connection.BeginTransaction(deferred: false);
            await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL);", cancellationToken).ConfigureAwait(false);
            var version = await CurrentVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            var latest = SqliteMigrations.Steps.Count;
            if (version > latest)
            {
                throw new InvalidOperationException(
                    $"The SQLite database {_connections.Path} has schema version {version}, newer than this manager knows ({latest}); upgrade the manager");
            }

            for (var step = version + 1; step <= latest; step++)
            {
                await ExecuteAsync(connection, transaction, SqliteMigrations.Steps[step - 1], cancellationToken).ConfigureAwait(false);
                using var record = connection.CreateCommand();
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($version, $at);";
                record.Add("$version", step);
                record.Add("$at", SqliteValues.Time(DateTimeOffset.UtcNow));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            for (var step = version + 1; step <= latest; step++)
            {
                _logger.SqliteMigrationApplied(step);
            }

            _logger.SqliteStorageOpened(_connections.Path, latest);
        }
    }

    public ValueTask DisposeAsync()
    {
        _connections.ClearPool();
        return ValueTask.CompletedTask;
    }

    private static async Task<int> CurrentVersionAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
