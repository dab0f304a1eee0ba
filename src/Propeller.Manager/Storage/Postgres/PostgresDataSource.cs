using System.Globalization;
using Npgsql;

namespace Propeller.Manager.Storage.Postgres;

/// <summary>
/// The pooled Npgsql data source built from <c>MANAGER_POSTGRES_*</c>: at most 25 connections, each replaced after
/// 5 minutes (manager-reference §8.4). Each repository call borrows one connection and returns it.
/// </summary>
internal static class PostgresDataSource
{
    public const int MaxPoolSize = 25;

    public static NpgsqlDataSource Create(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = options.PostgresHost.Trim(),
            Port = options.PostgresPort,
            Username = options.PostgresUser,
            Password = options.PostgresPassword,
            Database = options.PostgresDatabase,
            SslMode = ParseSslMode(options.PostgresSslMode),
            MaxPoolSize = MaxPoolSize,
            ConnectionLifetime = 300,
            Timeout = 15,
            CommandTimeout = 30,
            ApplicationName = "propeller-manager",
        };
        return NpgsqlDataSource.Create(builder);
    }

    /// <summary><c>host:port/database</c>, for messages that must say which server could not be reached.</summary>
    public static string Describe(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture, $"{options.PostgresHost.Trim()}:{options.PostgresPort}/{options.PostgresDatabase}");
    }

    private static SslMode ParseSslMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw new InvalidOperationException($"MANAGER_POSTGRES_SSLMODE '{text}' is not one of: {string.Join(", ", StorageOptions.PostgresSslModes)}"),
    };
}
