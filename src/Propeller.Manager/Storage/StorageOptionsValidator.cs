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

        if (string.Equals(type, StorageOptions.SqliteType, StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(options.SqlitePath))
        {
            return "MANAGER_SQLITE_PATH must name the SQLite database file when MANAGER_STORAGE_TYPE is 'sqlite'";
        }

        return null;
    }
}
