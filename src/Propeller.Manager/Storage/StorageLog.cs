using Microsoft.Extensions.Logging;

namespace Propeller.Manager.Storage;

/// <summary>Storage log events, ids 2800-2899.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 2800, EventName = "MemoryStorageOpened", Level = LogLevel.Information,
        Message = "Using in-memory storage; tasks and proplets are lost when the manager stops")]
    public static partial void MemoryStorageOpened(this ILogger logger);

    [LoggerMessage(EventId = 2801, EventName = "SqliteStorageOpened", Level = LogLevel.Information,
        Message = "Opened SQLite storage at {Path} (schema version {Version})")]
    public static partial void SqliteStorageOpened(this ILogger logger, string path, int version);

    [LoggerMessage(EventId = 2802, EventName = "SqliteMigrationApplied", Level = LogLevel.Information,
        Message = "Applied SQLite schema migration {Version}")]
    public static partial void SqliteMigrationApplied(this ILogger logger, int version);

    [LoggerMessage(EventId = 2850, EventName = "PostgresStorageOpened", Level = LogLevel.Information,
        Message = "Opened PostgreSQL storage at {Endpoint} (schema version {Version})")]
    public static partial void PostgresStorageOpened(this ILogger logger, string endpoint, int version);

    [LoggerMessage(EventId = 2851, EventName = "PostgresMigrationApplied", Level = LogLevel.Information,
        Message = "Applied PostgreSQL schema migration {Version}")]
    public static partial void PostgresMigrationApplied(this ILogger logger, int version);
}
