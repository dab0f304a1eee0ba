using System.Net;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Hosting;
using Propeller.Manager.Tests.Support;
using Propeller.Manager.Tests.Workflows;
using Propeller.Testing;
using Xunit.Abstractions;

// Not Propeller.Manager.Tests.Jobs: that namespace would shadow Propeller.Manager.Jobs for sibling test folders.
namespace Propeller.Manager.Tests.Orchestration;

/// <summary>Starting and stopping jobs and what their results set off (a probe plays the proplet).</summary>
public sealed class JobExecutionTests(ITestOutputHelper output)
{
    private const string ThreeRootsAndAChild = """
        "tasks":[{"id":"r1","name":"r1"},{"id":"r2","name":"r2"},{"id":"r3","name":"r3"},{"id":"child","name":"child","depends_on":["r1"]}]
        """;

    [Fact]
    public async Task Start_Parallel_StartsEveryRootButNoDependent()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var job = await JobApiTests.CreateJobAsync(host, $$"""{"name":"p","execution_mode":"parallel",{{ThreeRootsAndAChild}}}""");
        var ids = GraphHttp.Ids(job);

        var answer = await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadJsonAsync();

        Assert.Equal("job started", answer["message"]!.GetValue<string>());
        Assert.Equal(job["job_id"]!.GetValue<string>(), answer["job_id"]!.GetValue<string>());
        foreach (var root in ids[..3])
        {
            Assert.Equal(TaskState.Running, (await host.GetTaskAsync(root))!.State);
        }

        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(ids[3]))!.State);
        var running = await (await host.Http.GetAsync($"jobs/{job["job_id"]}")).ReadJsonAsync();
        Assert.Equal((int)TaskState.Running, running["state"]!.GetValue<int>());
    }

    [Fact]
    public async Task Start_Configurable_StartsTheRootsInOrder()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var job = await JobApiTests.CreateJobAsync(host, $$"""{"name":"c","execution_mode":"configurable",{{ThreeRootsAndAChild}}}""");
        var ids = GraphHttp.Ids(job);

        await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadJsonAsync();

        await Eventually.TrueAsync(() => probe.Messages(TopicSuffixes.ManagerStart).Count == 3, "three starts");
        Assert.Equal(ids[..3], probe.Messages(TopicSuffixes.ManagerStart).Select(m => m["id"]!.GetValue<string>()));
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(ids[3]))!.State);
    }

    [Fact]
    public async Task Start_Sequential_StartsEachRootOnlyAfterThePreviousFinished()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var job = await JobApiTests.CreateJobAsync(host, $$"""{"name":"s","execution_mode":"sequential",{{ThreeRootsAndAChild}}}""");
        var ids = GraphHttp.Ids(job);

        await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadJsonAsync();

        await probe.WaitForStartAsync(ids[0]);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(ids[1]))!.State);
        var conflict = await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);
        Assert.Contains("already running", conflict, StringComparison.Ordinal);

        await probe.SucceedAsync(ids[0], "first");

        await probe.WaitForStartAsync(ids[1]);
        await probe.WaitForStartAsync(ids[3]);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(ids[2]))!.State);
        Assert.Equal(0, probe.StartsOf(ids[2]));

        await probe.SucceedAsync(ids[1], "second");

        await probe.WaitForStartAsync(ids[2]);
        Assert.Equal(TaskState.Completed, (await host.GetTaskAsync(ids[1]))!.State);
    }

    [Fact]
    public async Task Start_NoModeOnTheJob_UsesJobExecutionMode()
    {
        await using var host = await ManagerTestHost.StartAsync(output, configure: o => o with { JobExecutionMode = "sequential" });
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var job = await JobApiTests.CreateJobAsync(host, """{"name":"d","tasks":[{"name":"one"},{"name":"two"}]}""");
        var ids = GraphHttp.Ids(job);

        await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadJsonAsync();

        await probe.WaitForStartAsync(ids[0]);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(ids[1]))!.State);
    }

    [Fact]
    public async Task Start_NoModeAnywhere_Is422()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var job = await JobApiTests.CreateJobAsync(host, """{"name":"d","tasks":[{"name":"one"}]}""");

        var error = await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadErrorAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("JOB_EXECUTION_MODE is not set", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_StoredModeUnknown_Is422NamingTheAllowedModes()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var now = DateTimeOffset.UtcNow;
        await host.Store.Jobs.CreateAsync(new Manager.Jobs.JobRecord { Id = "odd", ExecutionMode = "random", CreatedAt = now, UpdatedAt = now }, CancellationToken.None);
        await host.Http.CreateTaskAsync("""{"name":"t","job_id":"odd"}""");

        var error = await (await host.Http.PostAsync("jobs/odd/start", null)).ReadErrorAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal("invalid JOB_EXECUTION_MODE: \"random\" (allowed: \"parallel\", \"sequential\", \"configurable\")", error);
    }

    [Fact]
    public async Task Start_UnknownJob_Is404_AndRecordWithoutTasksIs422()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var now = DateTimeOffset.UtcNow;
        await host.Store.Jobs.CreateAsync(new Manager.Jobs.JobRecord { Id = "hollow", ExecutionMode = "parallel", CreatedAt = now, UpdatedAt = now }, CancellationToken.None);

        await (await host.Http.PostAsync("jobs/nothing/start", null)).ReadErrorAsync(HttpStatusCode.NotFound);
        var error = await (await host.Http.PostAsync("jobs/hollow/start", null)).ReadErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("has no tasks", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WhileShuttingDown_Is503()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var job = await JobApiTests.CreateJobAsync(host, """{"name":"d","execution_mode":"parallel","tasks":[{"name":"one"}]}""");
        host.Service<ShutdownGate>().Close();

        var error = await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadErrorAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Contains("shutting down", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoProplet_IsConflictAndNothingRuns()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var job = await JobApiTests.CreateJobAsync(host, """{"name":"d","execution_mode":"parallel","tasks":[{"name":"one"},{"name":"two"}]}""");

        var error = await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Contains("no active proplets", error, StringComparison.Ordinal);
        foreach (var id in GraphHttp.Ids(job))
        {
            Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(id))!.State);
        }
    }

    [Fact]
    public async Task Result_ParentFinished_StartsTheDependentWithTheParentsResult()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var job = await JobApiTests.CreateJobAsync(host, """
            {"name":"chain","execution_mode":"parallel","tasks":[{"id":"a","name":"a"},{"id":"b","name":"b","depends_on":["a"]}]}
            """);
        var ids = GraphHttp.Ids(job);
        await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadJsonAsync();
        await probe.WaitForStartAsync(ids[0]);

        await probe.SucceedAsync(ids[0], "out-a");

        var start = await probe.WaitForStartAsync(ids[1]);
        Assert.Equal("out-a", start["parent_results"]![ids[0]]!.GetValue<string>());
        await probe.SucceedAsync(ids[1], "out-b");
        await Eventually.TrueAsync(
            async () => (await (await host.Http.GetAsync($"jobs/{job["job_id"]}")).ReadJsonAsync())["state"]!.GetValue<int>() == (int)TaskState.Completed,
            "the job to be Completed");
    }

    [Fact]
    public async Task Result_OneTaskFails_StopsTheJobsOtherRunningTasks()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var job = await JobApiTests.CreateJobAsync(host, """
            {"name":"f","execution_mode":"parallel","tasks":[{"id":"bad","name":"bad"},{"id":"good","name":"good"},{"id":"after","name":"after","depends_on":["bad"]}]}
            """);
        var ids = GraphHttp.Ids(job);
        await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadJsonAsync();
        await probe.WaitForStartAsync(ids[1]);

        await probe.FailAsync(ids[0], "trap");

        var stop = await probe.WaitForAsync(TopicSuffixes.ManagerStop, m => m["id"]?.GetValue<string>() == ids[1]);
        Assert.False(string.IsNullOrEmpty(stop["proplet_id"]?.GetValue<string>()));
        Assert.Equal(0, probe.StartsOf(ids[2]));
        var view = await (await host.Http.GetAsync($"jobs/{job["job_id"]}")).ReadJsonAsync();
        Assert.Equal((int)TaskState.Failed, view["state"]!.GetValue<int>());
    }

    [Fact]
    public async Task Stop_RunningJob_StopsItsRunningTasks()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var job = await JobApiTests.CreateJobAsync(host, """{"name":"x","execution_mode":"parallel","tasks":[{"name":"one"},{"name":"two"}]}""");
        var ids = GraphHttp.Ids(job);
        await (await host.Http.PostAsync($"jobs/{job["job_id"]}/start", null)).ReadJsonAsync();

        var answer = await (await host.Http.PostAsync($"jobs/{job["job_id"]}/stop", null)).ReadJsonAsync();

        Assert.Equal("job stopped", answer["message"]!.GetValue<string>());
        foreach (var id in ids)
        {
            await probe.WaitForAsync(TopicSuffixes.ManagerStop, m => m["id"]?.GetValue<string>() == id);
        }
    }

    [Fact]
    public async Task Stop_UnknownJob_IsStillOk()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var answer = await (await host.Http.PostAsync("jobs/never-was/stop", null)).ReadJsonAsync();

        Assert.Equal("""{"message":"job stopped","job_id":"never-was"}""", answer.ToJsonString());
    }
}
