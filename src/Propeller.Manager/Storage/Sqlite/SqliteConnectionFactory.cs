using Microsoft.Data.Sqlite;

namespace Propeller.Manager.Storage.Sqlite;

/// <summary>
/// Opens one pooled connection per operation, so concurrent MQTT handlers never share a connection. Writers
/// queue on SQLite's lock: WAL lets readers run beside the one writer, and the busy timeout makes a writer wait
/// for the lock instead of failing with "database is locked".
/// </summary>
internal sealed class SqliteConnectionFactory
{
    private const int BusyTimeoutMilliseconds = 10_000;

    private readonly string _connectionString;

    public SqliteConnectionFactory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds};";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the pooled connections so the file is released (a restart or a test can reopen or delete it).</summary>
    public void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
