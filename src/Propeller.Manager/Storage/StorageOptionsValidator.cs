using Microsoft.Extensions.Options;

namespace Propeller.Manager.Storage;

/// <summary>Rejects a storage configuration the manager cannot open, naming the variable to fix.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        Check(options) is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;

    /// <summary>The problem with <paramref name="options"/>, or null when they are usable.</summary>
    public static string? Check(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var type = options.Type?.Trim() ?? "";
        if (!StorageOptions.SupportedTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
        {
            return $"MANAGER_STORAGE_TYPE '{options.Type}' is not a supported storage type; use one of: {string.Join(", ", StorageOptions.SupportedTypes)}";
        }

        if (options.Is(StorageOptions.SqliteType) && string.IsNullOrWhiteSpace(options.SqlitePath))
        {
            return "MANAGER_SQLITE_PATH must name the SQLite database file when MANAGER_STORAGE_TYPE is 'sqlite'";
        }

        return options.Is(StorageOptions.PostgresType) ? CheckPostgres(options) : null;
    }

    private static string? CheckPostgres(StorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.PostgresHost))
        {
            return "MANAGER_POSTGRES_HOST must name the PostgreSQL server when MANAGER_STORAGE_TYPE is 'postgres'";
        }

        if (options.PostgresPort is < 1 or > 65535)
        {
            return $"MANAGER_POSTGRES_PORT '{options.PostgresPort}' is not a port number (1-65535)";
        }

        if (string.IsNullOrWhiteSpace(options.PostgresUser))
        {
            return "MANAGER_POSTGRES_USER must not be empty when MANAGER_STORAGE_TYPE is 'postgres'";
        }

        if (string.IsNullOrWhiteSpace(options.PostgresDatabase))
        {
            return "MANAGER_POSTGRES_DB must name the database when MANAGER_STORAGE_TYPE is 'postgres'";
        }

        if (!StorageOptions.PostgresSslModes.Contains(options.PostgresSslMode?.Trim() ?? "", StringComparer.OrdinalIgnoreCase))
        {
            return $"MANAGER_POSTGRES_SSLMODE '{options.PostgresSslMode}' is not one of: {string.Join(", ", StorageOptions.PostgresSslModes)}";
        }

        return null;
    }
}
