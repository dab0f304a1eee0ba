namespace Propeller.Manager.Storage;

/// <summary>
/// Which backend the manager stores its state in (<c>MANAGER_STORAGE_TYPE</c>, <c>MANAGER_SQLITE_PATH</c>,
/// <c>MANAGER_POSTGRES_*</c>).
/// </summary>
internal sealed record StorageOptions
{
    public const string MemoryType = "memory";

    public const string SqliteType = "sqlite";

    public const string PostgresType = "postgres";

    /// <summary>The names <see cref="Type"/> accepts, in the order an error lists them.</summary>
    public static IReadOnlyList<string> SupportedTypes { get; } = [MemoryType, SqliteType, PostgresType];

    /// <summary>The <c>MANAGER_POSTGRES_SSLMODE</c> values, as libpq names them.</summary>
    public static IReadOnlyList<string> PostgresSslModes { get; } = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    /// <summary><c>memory</c> (the default), <c>sqlite</c> or <c>postgres</c>, case-insensitive.</summary>
    public string Type { get; init; } = MemoryType;

    public string SqlitePath { get; init; } = "./propeller.db";

    public string PostgresHost { get; init; } = "localhost";

    public int PostgresPort { get; init; } = 5432;

    public string PostgresUser { get; init; } = "propeller";

    public string PostgresPassword { get; init; } = "propeller";

    public string PostgresDatabase { get; init; } = "propeller";

    public string PostgresSslMode { get; init; } = "disable";

    /// <summary>True when <see cref="Type"/> names <paramref name="type"/>, ignoring case and surrounding spaces.</summary>
    public bool Is(string type) => string.Equals(Type?.Trim(), type, StringComparison.OrdinalIgnoreCase);
}
