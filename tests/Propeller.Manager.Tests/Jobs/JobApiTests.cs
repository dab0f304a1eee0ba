using System.Net;
using System.Text.Json.Nodes;
using Propeller.Contracts.Messages;
using Propeller.Manager.Hosting;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Support;
using Propeller.Manager.Tests.Workflows;
using Xunit.Abstractions;

// Not Propeller.Manager.Tests.Jobs: that namespace would shadow Propeller.Manager.Jobs for sibling test folders.
namespace Propeller.Manager.Tests.Orchestration;

/// <summary>Creating, reading and listing jobs over HTTP (manager-reference §5.4).</summary>
public sealed class JobApiTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Create_TwoTasks_GivesAJobIdThatEveryTaskCarries()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        using var response = await host.Http.PostJsonAsync("jobs", """{"name":"pair","execution_mode":"parallel","tasks":[{"name":"x"},{"name":"y"}]}""");

        var job = (await response.ReadJsonAsync(HttpStatusCode.Created)).AsObject();
        var jobId = job["job_id"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(jobId));
        Assert.Equal($"/jobs/{jobId}", response.Headers.Location?.OriginalString);
        Assert.Equal("pair", job["name"]!.GetValue<string>());
        Assert.Equal("parallel", job["execution_mode"]!.GetValue<string>());
        Assert.All(job["tasks"]!.AsArray(), t =>
        {
            Assert.Equal(jobId, t!["job_id"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(t["id"]!.GetValue<string>()));
        });
    }

    [Theory]
    [InlineData("sequential")]
    [InlineData("parallel")]
    [InlineData("configurable")]
    public async Task Create_EachMode_IsStoredAndReadBack(string mode)
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await CreateJobAsync(host, $$"""{"name":"m","execution_mode":"{{mode}}","tasks":[{"name":"only"}]}""");

        var job = await (await host.Http.GetAsync($"jobs/{created["job_id"]}")).ReadJsonAsync();

        Assert.Equal(mode, job["execution_mode"]!.GetValue<string>());
        Assert.Single(job["tasks"]!.AsArray());
        Assert.Equal(mode, (await host.Store.Jobs.GetAsync(created["job_id"]!.GetValue<string>(), CancellationToken.None))!.ExecutionMode);
    }

    [Fact]
    public async Task Create_ChainWithClientIds_KeepsTheChain()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var job = await CreateJobAsync(host, """
            {"name":"chain","tasks":[{"id":"dep-a","name":"a"},{"id":"dep-b","name":"b","depends_on":["dep-a"]},{"id":"dep-c","name":"c","depends_on":["dep-b"]}]}
            """);

        var ids = GraphHttp.Ids(job);
        Assert.Equal(3, ids.Length);
        Assert.Equal(ids[1], (await host.GetTaskAsync(ids[2]))!.DependsOn!.Single());
        Assert.All(job["tasks"]!.AsArray(), t => Assert.Equal(job["job_id"]!.GetValue<string>(), t!["job_id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"name":"c","tasks":[{"id":"a","name":"a","depends_on":["b"]},{"id":"b","name":"b","depends_on":["a"]}]}""", "DAG validation failed: circular dependency detected")]
    [InlineData("""{"name":"m","tasks":[{"id":"a","name":"a","depends_on":["nope"]}]}""", "dependency validation failed: dependency task not found")]
    public async Task Create_BrokenGraph_Is422WithThePrefixAndStoresNothing(string json, string reason)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("jobs", json)).ReadErrorAsync(HttpStatusCode.UnprocessableEntity);

        Assert.StartsWith(reason, error, StringComparison.Ordinal);
        Assert.Empty(await host.Store.Jobs.ListAllAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"name":"e","tasks":[]}""", "at least one task")]
    [InlineData("""{"name":"e"}""", "at least one task")]
    [InlineData("""{"name":"e","execution_mode":"random","tasks":[{"name":"x"}]}""", "invalid execution_mode")]
    [InlineData("""{"name":"e","tasks":[{"name":"x","run_if":"maybe"}]}""", "run_if")]
    [InlineData("""{"name":"e","tasks":[{"name":""}]}""", "name is required")]
    [InlineData("""{"name":"e","tasks":[null]}""", "null")]
    [InlineData("""[{"name":"x"}]""", "invalid JSON body")]
    public async Task Create_InvalidBody_Is400(string json, string reason)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("jobs", json)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_TaskClashesWithAStoredOne_RemovesTheJobAndItsTasks()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var taken = (await host.Http.CreateTaskAsync("""{"name":"existing"}"""))["id"]!.GetValue<string>();

        await (await host.Http.PostJsonAsync("jobs", $$"""{"name":"clash","tasks":[{"name":"fresh","job_id":"clash-job"},{"id":"{{taken}}","name":"dup"}]}"""))
            .ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Null(await host.Store.Jobs.GetAsync("clash-job", CancellationToken.None));
        Assert.Empty(await host.Store.Tasks.ListByJobAsync("clash-job", CancellationToken.None));
    }

    [Fact]
    public async Task Get_TasksCreatedWithTheJobId_AreTheJobsTasks()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.Http.CreateTaskAsync("""{"name":"one","job_id":"made-by-hand"}""");
        await host.Http.CreateTaskAsync("""{"name":"two","job_id":"made-by-hand"}""");

        var job = await (await host.Http.GetAsync("jobs/made-by-hand")).ReadJsonAsync();

        Assert.Equal("made-by-hand", job["job_id"]!.GetValue<string>());
        Assert.Equal(2, job["tasks"]!.AsArray().Count);
        Assert.False(job.AsObject().ContainsKey("name"));
    }

    [Fact]
    public async Task Get_RecordWithoutTasks_Is200Pending()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.Store.Jobs.CreateAsync(new Manager.Jobs.JobRecord { Id = "empty-job", Name = "empty", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow }, CancellationToken.None);

        var job = await (await host.Http.GetAsync("jobs/empty-job")).ReadJsonAsync();

        Assert.Equal((int)TaskState.Pending, job["state"]!.GetValue<int>());
        Assert.Empty(job["tasks"]!.AsArray());
    }

    [Fact]
    public async Task Get_Unknown_Is404()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync($"jobs/{Guid.NewGuid()}")).ReadErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_TwoJobs_TotalIsTwoNewestFirst()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var first = await CreateJobAsync(host, """{"name":"first","tasks":[{"name":"x"}]}""");
        var second = await CreateJobAsync(host, """{"name":"second","tasks":[{"name":"y"}]}""");

        var page = await (await host.Http.GetAsync("jobs")).ReadJsonAsync();

        Assert.Equal(2, page["total"]!.GetValue<int>());
        Assert.Equal(
            [second["job_id"]!.GetValue<string>(), first["job_id"]!.GetValue<string>()],
            page["jobs"]!.AsArray().Select(j => j!["job_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task List_LoneTaskWithAJobId_IsListedAsALegacyJob()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await CreateJobAsync(host, """{"name":"stored","tasks":[{"name":"x"}]}""");
        await host.Http.CreateTaskAsync("""{"name":"old","job_id":"legacy-job-id"}""");

        var page = await (await host.Http.GetAsync("jobs")).ReadJsonAsync();

        Assert.Equal(2, page["total"]!.GetValue<int>());
        Assert.Contains("legacy-job-id", page["jobs"]!.AsArray().Select(j => j!["job_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task List_FiveJobs_PagesThreeThenTwo()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        for (var i = 0; i < 5; i++)
        {
            await CreateJobAsync(host, $$"""{"name":"job{{i}}","tasks":[{"name":"x"}]}""");
        }

        var first = await (await host.Http.GetAsync("jobs?offset=0&limit=3")).ReadJsonAsync();
        var second = await (await host.Http.GetAsync("jobs?offset=3&limit=3")).ReadJsonAsync();
        var beyond = await (await host.Http.GetAsync("jobs?offset=9&limit=3")).ReadJsonAsync();

        Assert.Equal(5, first["total"]!.GetValue<int>());
        Assert.Equal(3, first["jobs"]!.AsArray().Count);
        Assert.Equal(5, second["total"]!.GetValue<int>());
        Assert.Equal(2, second["jobs"]!.AsArray().Count);
        Assert.Empty(beyond["jobs"]!.AsArray());
        Assert.Empty(first["jobs"]!.AsArray().Select(j => j!["job_id"]!.GetValue<string>())
            .Intersect(second["jobs"]!.AsArray().Select(j => j!["job_id"]!.GetValue<string>())));
    }

    [Fact]
    public async Task List_StatusFilter_SelectsByDerivedState()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        foreach (var state in new[] { TaskState.Pending, TaskState.Running, TaskState.Completed, TaskState.Failed })
        {
            await host.AddTaskAsync(OneTaskJob(state));
        }

        Assert.Equal(4, (await (await host.Http.GetAsync("jobs")).ReadJsonAsync())["total"]!.GetValue<int>());
        foreach (var (status, state) in new[] { ("pending", 0), ("running", 2), ("completed", 3), ("failed", 4) })
        {
            var page = await (await host.Http.GetAsync($"jobs?status={status}")).ReadJsonAsync();
            Assert.Equal(1, page["total"]!.GetValue<int>());
            Assert.Equal(state, page["jobs"]![0]!["state"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task List_InterruptedCountsAsFailedAndScheduledAsRunning()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var interrupted = await host.AddTaskAsync(OneTaskJob(TaskState.Interrupted));
        var scheduled = await host.AddTaskAsync(OneTaskJob(TaskState.Scheduled));

        var failed = await (await host.Http.GetAsync("jobs?status=failed")).ReadJsonAsync();
        var running = await (await host.Http.GetAsync("jobs?status=running")).ReadJsonAsync();

        Assert.Equal(interrupted.JobId, failed["jobs"]!.AsArray().Single()!["job_id"]!.GetValue<string>());
        Assert.Equal(scheduled.JobId, running["jobs"]!.AsArray().Single()!["job_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("status=invalid", "invalid job status")]
    [InlineData("offset=abc", "invalid offset")]
    public async Task List_BadQuery_Is400(string query, string reason)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.GetAsync($"jobs?{query}")).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Summary_CarriesTheTaskTimes()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var started = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var task = OneTaskJob(TaskState.Completed) with { StartTime = started, FinishTime = started.AddMinutes(1), CreatedAt = started.AddMinutes(-1) };
        await host.AddTaskAsync(task);

        var job = (await (await host.Http.GetAsync("jobs")).ReadJsonAsync())["jobs"]![0]!;

        Assert.Equal(started, job["start_time"]!.GetValue<DateTimeOffset>());
        Assert.Equal(started.AddMinutes(1), job["finish_time"]!.GetValue<DateTimeOffset>());
        Assert.Equal(started.AddMinutes(-1), job["created_at"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Options_UnknownJobExecutionMode_NamesTheVariable()
    {
        var options = await ManagerTestHost.NewOptionsAsync();

        var error = Assert.Throws<Contracts.Configuration.ConfigurationException>(() => (options with { JobExecutionMode = "random" }).Validate());

        Assert.StartsWith(ManagerEnvironment.JobExecutionMode, error.Message, StringComparison.Ordinal);
    }

    internal static async Task<JsonObject> CreateJobAsync(ManagerTestHost host, string json) =>
        (await (await host.Http.PostJsonAsync("jobs", json)).ReadJsonAsync(HttpStatusCode.Created)).AsObject();

    private static PropellerTask OneTaskJob(TaskState state) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Name = state.ToString(),
        State = state,
        JobId = "job-" + state.ToString().ToLowerInvariant(),
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };
}
