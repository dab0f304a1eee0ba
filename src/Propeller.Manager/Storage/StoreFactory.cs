using Microsoft.Extensions.Logging;
using Propeller.Manager.Storage.Memory;
using Propeller.Manager.Storage.Postgres;
using Propeller.Manager.Storage.Sqlite;

namespace Propeller.Manager.Storage;

/// <summary>Builds the configured backend. The caller still runs <see cref="IPropellerStore.InitializeAsync"/>.</summary>
internal static class StoreFactory
{
    /// <summary>Throws <see cref="InvalidOperationException"/> naming the variable when the options are unusable.</summary>
    public static IPropellerStore Create(StorageOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (StorageOptionsValidator.Check(options) is { } error)
        {
            throw new InvalidOperationException(error);
        }

        if (options.Is(StorageOptions.SqliteType))
        {
            return new SqliteStore(options.SqlitePath, loggerFactory.CreateLogger<SqliteStore>());
        }

        return options.Is(StorageOptions.PostgresType)
            ? new PostgresStore(options, loggerFactory.CreateLogger<PostgresStore>())
            : new MemoryStore(loggerFactory.CreateLogger<MemoryStore>());
    }
}
