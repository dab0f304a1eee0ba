using Propeller.Contracts.Topics;
using Propeller.Manager.Storage;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Messaging;

/// <summary>
/// Explicit JSON nulls in the parts of a metrics sample: every backend stores the sample with empty parts, and
/// nothing is logged as an error (the SQL columns are NOT NULL).
/// </summary>
public sealed class NullPartsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(StorageOptions.MemoryType)]
    [InlineData(StorageOptions.SqliteType)]
    public async Task TaskMetrics_NullPropletIdAndMetrics_AreStoredAsEmpty(string storage)
    {
        await WithHostAsync(storage, async host =>
        {
            await using var probe = await host.ConnectProbeAsync();
            var task = await host.Http.CreateTaskAsync("""{"name":"t"}""");

            await probe.PublishAsync(TopicSuffixes.PropletTaskMetrics, $$"""{"task_id":"{{task["id"]}}","proplet_id":null,"metrics":null,"aggregated":null}""");

            var page = await Eventually.ValueAsync(
                async () => await (await host.Http.GetAsync($"tasks/{task["id"]}/metrics")).ReadJsonAsync(),
                p => p["total"]!.GetValue<ulong>() == 1,
                "the stored sample");
            var sample = page["metrics"]![0]!;
            Assert.Equal("", sample["proplet_id"]!.GetValue<string>());
            Assert.Equal(0, sample["metrics"]!["cpu_percent"]!.GetValue<double>());
        });
    }

    [Theory]
    [InlineData(StorageOptions.MemoryType)]
    [InlineData(StorageOptions.SqliteType)]
    public async Task PropletMetrics_NullCpuAndMemory_AreStoredAsEmpty(string storage)
    {
        await WithHostAsync(storage, async host =>
        {
            await using var probe = await host.ConnectProbeAsync();
            var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);

            await probe.PublishAsync(TopicSuffixes.PropletMetrics, $$"""{"proplet_id":"{{proplet.Id}}","namespace":null,"cpu_metrics":null,"memory_metrics":null}""");

            var page = await Eventually.ValueAsync(
                async () => await (await host.Http.GetAsync($"proplets/{proplet.Id}/metrics")).ReadJsonAsync(),
                p => p["total"]!.GetValue<ulong>() == 1,
                "the stored sample");
            var sample = page["metrics"]![0]!;
            Assert.Equal(0, sample["cpu_metrics"]!["percent"]!.GetValue<double>());
            Assert.Equal(0UL, sample["memory_metrics"]!["rss_bytes"]!.GetValue<ulong>());
        });
    }

    private async Task WithHostAsync(string storage, Func<ManagerTestHost, Task> test)
    {
        var directory = Directory.CreateTempSubdirectory("propeller-manager-nulls-").FullName;
        try
        {
            await using var host = await ManagerTestHost.StartAsync(output, configure: o => o with { StorageType = storage, DataDir = directory });
            await test(host);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
