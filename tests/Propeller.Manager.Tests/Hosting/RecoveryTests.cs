using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Hosting;

public sealed class RecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Start_InterruptedTasks_BecomeFailed_OthersUnchanged()
    {
        var interrupted = new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "i", State = TaskState.Interrupted, Error = "something else" };
        var pending = new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "p", State = TaskState.Pending };

        await using var host = await ManagerTestHost.StartAsync(output, seed: async store =>
        {
            await store.Tasks.CreateAsync(interrupted, CancellationToken.None);
            await store.Tasks.CreateAsync(pending, CancellationToken.None);
        });

        var recovered = (await host.GetTaskAsync(interrupted.Id))!;
        Assert.Equal(TaskState.Failed, recovered.State);
        Assert.Equal("interrupted by shutdown", recovered.Error);
        Assert.NotEqual(DateTimeOffset.MinValue, recovered.UpdatedAt);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(pending.Id))!.State);
    }

    [Fact]
    public async Task Start_InterruptedTaskWithMapping_StopsItFirstAndReleasesTheSlot()
    {
        var options = await ManagerTestHost.NewOptionsAsync();
        var topics = new TopicBuilder(options.Credentials.TenantId, options.Credentials.ChannelId);
        await using var probe = await MqttProbe.ConnectAsync(options.MqttAddress, topics, "probe-" + Guid.NewGuid().ToString("N"));
        var task = new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "i", State = TaskState.Interrupted };
        const string propletId = "5f1f0b1e-8a35-4d8e-9b52-2f3b4f3f8a11";

        await using var host = await ManagerTestHost.StartAsync(output, options: options, seed: async store =>
        {
            await store.Proplets.CreateAsync(new Propeller.Manager.Proplets.Proplet { Id = propletId, Name = "Morgan-Riley" }, CancellationToken.None);
            await store.Proplets.AdjustTaskCountAsync(propletId, 1, CancellationToken.None);
            await store.Tasks.CreateAsync(task, CancellationToken.None);
            await store.TaskProplets.UpsertAsync(task.Id, propletId, CancellationToken.None);
        });

        var stop = await probe.WaitForAsync(TopicSuffixes.ManagerStop);
        Assert.Equal($$"""{"id":"{{task.Id}}","proplet_id":"{{propletId}}"}""", stop.ToJsonString());
        Assert.Equal(TaskState.Failed, (await host.GetTaskAsync(task.Id))!.State);
        Assert.Equal(0UL, (await host.GetPropletAsync(propletId))!.TaskCount);
    }

    [Fact]
    public async Task Restart_OnTheSameSqliteFile_TurnsTheInterruptedRunIntoFailed()
    {
        var directory = Directory.CreateTempSubdirectory("propeller-manager-restart-").FullName;
        try
        {
            var options = (await ManagerTestHost.NewOptionsAsync()) with { StorageType = StorageOptions.SqliteType, DataDir = directory };
            string taskId;
            await using (var first = await ManagerTestHost.StartAsync(output, options: options))
            {
                await first.AddPropletAsync(age: TimeSpan.Zero);
                taskId = (await first.Http.CreateTaskAsync("""{"name":"long"}"""))["id"]!.GetValue<string>();
                await (await first.Http.PostAsync($"tasks/{taskId}/start", null)).ReadJsonAsync();
            }

            await using var second = await ManagerTestHost.StartAsync(output, options: options);

            var task = await (await second.Http.GetAsync($"tasks/{taskId}")).ReadJsonAsync();
            Assert.Equal((int)TaskState.Failed, task["state"]!.GetValue<int>());
            Assert.Equal("interrupted by shutdown", task["error"]!.GetValue<string>());
            Assert.True(File.Exists(Path.Combine(directory, "manager.db")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
