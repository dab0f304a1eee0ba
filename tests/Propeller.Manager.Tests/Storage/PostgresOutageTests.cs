using System.Net;
using Npgsql;
using Propeller.Manager.Storage;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Storage;

/// <summary>
/// The real manager on PostgreSQL while the database goes away and comes back: requests fail with 500 (the
/// manager keeps running) and succeed again once the server is back, with nothing lost. Its own server, since
/// the test stops it.
/// </summary>
public sealed class PostgresOutageTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task GetTask_DatabaseDownThenBack_Answers500ThenTheStoredTask()
    {
        var database = await postgres.Server.CreateDatabaseAsync("outage");
        var storage = postgres.OptionsFor(database);
        await using var host = await ManagerTestHost.StartAsync(
            configure: o => o with
            {
                StorageType = StorageOptions.PostgresType,
                PostgresHost = storage.PostgresHost,
                PostgresPort = storage.PostgresPort,
                PostgresUser = storage.PostgresUser,
                PostgresDatabase = storage.PostgresDatabase,
            },
            expectedErrors: e => CausedByDatabase(e.Exception));
        var created = await host.Http.CreateTaskAsync("""{"name":"kept","priority":3}""");
        var id = created["id"]!.GetValue<string>();

        await postgres.Server.StopServerAsync();
        using var during = await host.Http.GetAsync($"tasks/{id}");
        Assert.Equal("internal server error", await during.ReadErrorAsync(HttpStatusCode.InternalServerError));

        await postgres.Server.StartServerAsync();
        // Connections the pool held before the outage are broken; each failed call drops one, so a few more 500s may come.
        await Eventually.TrueAsync(
            async () =>
            {
                using var probe = await host.Http.GetAsync($"tasks/{id}");
                return probe.StatusCode == HttpStatusCode.OK;
            },
            "the task once PostgreSQL is back",
            TimeSpan.FromSeconds(30));
        using var after = await host.Http.GetAsync($"tasks/{id}");
        var task = await after.ReadJsonAsync();
        Assert.Equal("kept", task["name"]!.GetValue<string>());
        Assert.Equal(3, task["priority"]!.GetValue<int>());
    }

    private static bool CausedByDatabase(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException)
            {
                return true;
            }
        }

        return false;
    }
}
