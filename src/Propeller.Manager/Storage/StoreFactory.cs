using Microsoft.Extensions.Logging;
using Propeller.Manager.Storage.Memory;
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

        return string.Equals(options.Type.Trim(), StorageOptions.SqliteType, StringComparison.OrdinalIgnoreCase)
            ? new SqliteStore(options.SqlitePath, loggerFactory.CreateLogger<SqliteStore>())
            : new MemoryStore(loggerFactory.CreateLogger<MemoryStore>());
    }
}
