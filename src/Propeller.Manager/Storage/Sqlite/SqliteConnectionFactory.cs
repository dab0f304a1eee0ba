using Microsoft.Data.Sqlite;

namespace Propeller.Manager.Storage.Sqlite;

/// <summary>
/// Opens one pooled connection per operation, so concurrent MQTT handlers never share a connection. Writers
/// queue on SQLite's lock: WAL lets readers run beside the one writer, and the busy timeout makes a writer wait
/// for the lock instead of failing with "database is locked".
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Reliability",
    "CA2213:Disposable fields should be disposed",
    Justification = "The gate never creates a wait handle, and operations still closing after the store is disposed release it.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "The gate never creates a wait handle, and operations still closing after the store is disposed release it.")]
internal sealed class SqliteConnectionFactory
{
    private const int BusyTimeoutMilliseconds = 10_000;

    // Microsoft.Data.Sqlite is synchronous underneath its async methods, and a writer waiting for SQLite's lock
    // sleeps on its thread. Unbounded, a burst of heartbeats parked dozens of thread-pool threads there and starved
    // the broker and the REST API sharing the pool; past this many open connections callers wait asynchronously.
    private static readonly int MaxOpenConnections = Math.Max(4, Environment.ProcessorCount * 2);

    private readonly SemaphoreSlim _open = new(MaxOpenConnections, MaxOpenConnections);
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
        await _open.WaitAsync(cancellationToken).ConfigureAwait(false);
        var connection = new SqliteConnection(_connectionString);
        var released = 0;
        connection.StateChange += (_, change) =>
        {
            if (change.CurrentState == System.Data.ConnectionState.Closed && Interlocked.Exchange(ref released, 1) == 0)
            {
                _open.Release();
            }
        };
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
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                _open.Release();
            }

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
