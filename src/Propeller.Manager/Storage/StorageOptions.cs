namespace Propeller.Manager.Storage;

/// <summary>Which backend the manager stores its state in (<c>MANAGER_STORAGE_TYPE</c>, <c>MANAGER_SQLITE_PATH</c>).</summary>
internal sealed record StorageOptions
{
    public const string MemoryType = "memory";

    public const string SqliteType = "sqlite";

    /// <summary>The names <see cref="Type"/> accepts, in the order an error lists them.</summary>
    public static IReadOnlyList<string> SupportedTypes { get; } = [MemoryType, SqliteType];

    /// <summary><c>memory</c> (the default) or <c>sqlite</c>, case-insensitive.</summary>
    public string Type { get; init; } = MemoryType;

    public string SqlitePath { get; init; } = "./propeller.db";
}
