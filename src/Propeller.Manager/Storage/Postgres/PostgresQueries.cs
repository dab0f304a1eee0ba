using System.Data;
using Npgsql;
using NpgsqlTypes;

namespace Propeller.Manager.Storage.Postgres;

/// <summary>The statement shapes every repository uses: one pooled connection per call, parameters only.</summary>
internal static class PostgresQueries
{
    public static Task<int> ExecuteAsync(NpgsqlDataSource dataSource, string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            using var command = dataSource.CreateCommand(sql);
            bind(command);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        });

    public static Task<object?> ScalarAsync(NpgsqlDataSource dataSource, string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            using var command = dataSource.CreateCommand(sql);
            bind(command);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        });

    public static Task<List<T>> ListAsync<T>(
        NpgsqlDataSource dataSource, string sql, Action<NpgsqlCommand> bind, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            using var command = dataSource.CreateCommand(sql);
            bind(command);
            return await ReadAllAsync(command, read, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>Runs <paramref name="operation"/>, turning a value PostgreSQL cannot hold into bad input.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (PostgresException ex) when (PostgresErrors.IsNulCharacter(ex))
        {
            throw PostgresErrors.NulCharacter(ex);
        }
    }

    /// <summary>
    /// The total of <c>SELECT COUNT(*) FROM {from}</c> and one page of <c>SELECT {columns} FROM {from} {order}</c>,
    /// both from one snapshot (a repeatable-read transaction), so the total always agrees with the page.
    /// <paramref name="from"/> and <paramref name="order"/> are SQL text of the calling repository, never input.
    /// </summary>
    public static Task<Page<T>> PageAsync<T>(
        NpgsqlDataSource dataSource,
        string columns,
        string from,
        string order,
        Action<NpgsqlCommand> bind,
        Func<NpgsqlDataReader, T> read,
        ulong offset,
        ulong limit,
        CancellationToken cancellationToken) =>
        GuardAsync(() => PageCoreAsync(dataSource, columns, from, order, bind, read, offset, limit, cancellationToken));

    private static async Task<Page<T>> PageCoreAsync<T>(
        NpgsqlDataSource dataSource,
        string columns,
        string from,
        string order,
        Action<NpgsqlCommand> bind,
        Func<NpgsqlDataReader, T> read,
        ulong offset,
        ulong limit,
        CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                using var count = new NpgsqlCommand($"SELECT COUNT(*) FROM {from};", connection, transaction);
                bind(count);
                var total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

                using var page = new NpgsqlCommand($"SELECT {columns} FROM {from} {order} LIMIT @page_limit OFFSET @page_offset;", connection, transaction);
                bind(page);
                page.Add("page_limit", NpgsqlDbType.Bigint, PostgresValues.Bound(limit));
                page.Add("page_offset", NpgsqlDbType.Bigint, PostgresValues.Bound(offset));
                var items = await ReadAllAsync(page, read, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return new Page<T>(items, (ulong)total);
            }
        }
    }

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(read(reader));
            }
        }

        return items;
    }
}
