using Propeller.Manager.Storage;
using Propeller.Testing.Postgres;

namespace Propeller.Manager.Tests.Storage;

/// <summary>One real PostgreSQL server for a whole test class; each test creates its own database on it.</summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private PostgresProcess? _server;

    public PostgresProcess Server => _server ?? throw new InvalidOperationException("PostgreSQL is not started");

    public async Task InitializeAsync() => _server = await PostgresProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Storage options that select PostgreSQL and point at <paramref name="database"/> on this server.</summary>
    internal StorageOptions OptionsFor(string database) => new()
    {
        Type = StorageOptions.PostgresType,
        PostgresHost = PostgresProcess.Host,
        PostgresPort = Server.Port,
        PostgresUser = PostgresProcess.User,
        PostgresPassword = "unused-with-trust-auth",
        PostgresDatabase = database,
        PostgresSslMode = "disable",
    };
}
