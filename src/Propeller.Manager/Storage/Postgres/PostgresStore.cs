using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Propeller.Manager.Storage.Postgres;

/// <summary>
/// A PostgreSQL database (<c>MANAGER_STORAGE_TYPE=postgres</c>): state survives a manager restart and several
/// managers may start on one database. Errors at run time (a lost connection, a server restart) surface as
/// <see cref="NpgsqlException"/>, which the API answers with 500; the pool reconnects on the next call.
/// </summary>
internal sealed class PostgresStore : IPropellerStore
{
    // pg_advisory_xact_lock key: any constant shared by every manager; "PROPELLR" in ASCII.
    private const long SchemaLockKey = 0x50524F50454C4C52;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _endpoint;
    private readonly ILogger<PostgresStore> _logger;

    public PostgresStore(StorageOptions options, ILogger<PostgresStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = PostgresDataSource.Create(options);
        _endpoint = PostgresDataSource.Describe(options);
        _logger = logger;
        Tasks = new PostgresTaskRepository(_dataSource);
        Proplets = new PostgresPropletRepository(_dataSource);
        TaskProplets = new PostgresTaskPropletRepository(_dataSource);
        Metrics = new PostgresMetricsRepository(_dataSource);
        Jobs = new PostgresJobRepository(_dataSource);
    }

    public ITaskRepository Tasks { get; }

    public IPropletRepository Proplets { get; }

    public ITaskPropletRepository TaskProplets { get; }

    public IMetricsRepository Metrics { get; }

    public IJobRepository Jobs { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenForStartupAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // Two managers starting on one database queue here, before either looks at schema_version; the
                // lock is released at commit. Every step of the schema runs inside this transaction (DDL is
                // transactional in PostgreSQL), so a failed step leaves the database as it was.
                await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(@key);", c => c.Add("key", NpgsqlDbType.Bigint, SchemaLockKey), cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);", _ => { }, cancellationToken).ConfigureAwait(false);
                var version = await CurrentVersionAsync(connection, cancellationToken).ConfigureAwait(false);
                var latest = PostgresMigrations.Steps.Count;
                if (version > latest)
                {
                    throw new InvalidOperationException(
                        $"The PostgreSQL database {_endpoint} has schema version {version}, newer than this manager knows ({latest}); upgrade the manager");
                }

                for (var step = version + 1; step <= latest; step++)
                {
                    await ExecuteAsync(connection, PostgresMigrations.Steps[step - 1], _ => { }, cancellationToken).ConfigureAwait(false);
                    var applied = step;
                    await ExecuteAsync(
                        connection,
                        "INSERT INTO schema_version (version, applied_at) VALUES (@version, @at);",
                        c =>
                        {
                            c.Add("version", NpgsqlDbType.Integer, applied);
                            c.Add("at", NpgsqlDbType.Text, PostgresValues.Time(DateTimeOffset.UtcNow));
                        },
                        cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                for (var step = version + 1; step <= latest; step++)
                {
                    _logger.PostgresMigrationApplied(step);
                }

                _logger.PostgresStorageOpened(_endpoint, latest);
            }
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private async Task<NpgsqlConnection> OpenForStartupAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"could not connect to PostgreSQL at {_endpoint} (MANAGER_POSTGRES_HOST, MANAGER_POSTGRES_PORT, MANAGER_POSTGRES_DB, MANAGER_POSTGRES_USER): {ex.Message}",
                ex);
        }
    }

    private static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version;", connection);
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection);
        bind(command);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
