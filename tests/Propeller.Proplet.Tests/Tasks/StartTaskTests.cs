using System.Text.Json;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Tasks;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Tasks;

public sealed class StartTaskTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Start_GoManagerPayload_PublishesTheSum()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var file = Convert.ToBase64String(ExampleWasm.Add);

        // Byte for byte what the Go manager marshals for a pinned task.
        await proplet.StartTaskAsync(
            $$"""{"id":"t1","name":"add","state":0,"file":"{{file}}","inputs":["10","20"],"cli_args":null,"broadcast":false,"daemon":false,"latent":false,"encrypted":false,"proplet_id":"{{proplet.PropletId}}"}""");

        var result = await proplet.ResultAsync("t1");
        Assert.Equal(
            $$"""{"task_id":"t1","proplet_id":"{{proplet.PropletId}}","results":"30","error":null}""",
            result.Payload.GetRawText());
        await Eventually.TrueAsync(() => proplet.Service<RunningTaskTable>().Count == 0, "an empty running table");
        var metrics = proplet.Service<PropletMetrics>();
        Assert.Equal(1, metrics.TasksStarted);
        Assert.Equal(1, metrics.TasksCompleted);
        Assert.Equal(0, metrics.TasksFailed);
        Assert.Equal(ExampleWasm.Add.Length, metrics.WasmFetchBytes);
    }

    [Fact]
    public async Task Start_GoManagerPayloadWithEnvAndMonitoringProfile_Runs()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var file = Convert.ToBase64String(ExampleWasm.Add);

        await proplet.StartTaskAsync(
            $$$"""{"id":"t2","name":"add","state":0,"file":"{{{file}}}","inputs":["-5","3"],"cli_args":null,"broadcast":false,"daemon":false,"latent":false,"encrypted":false,"env":{"GREETING":"hola"},"monitoring_profile":{"enabled":true,"interval":10000000000,"collect_cpu":true,"collect_memory":true,"collect_disk_io":true,"collect_threads":true,"collect_file_descriptors":true,"export_to_mqtt":true,"retain_history":true,"history_size":100},"proplet_id":"{{{proplet.PropletId}}}","parent_results":{"a7f3":"42"}}""");

        Assert.Equal("-2", (await proplet.ResultAsync("t2")).Text("results"));
    }

    [Fact]
    public async Task Start_InputsAsJsonNumbers_AreAccepted()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("nums", "add", ExampleWasm.Add, inputs: ["10", "20"]));

        Assert.Equal("30", (await proplet.ResultAsync("nums")).Text("results"));
    }

    [Fact]
    public async Task Start_GuestFails_PublishesTheRuntimeError()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("one-arg", "add", ExampleWasm.Add, inputs: ["\"1\""]));

        var result = await proplet.ResultAsync("one-arg");
        Assert.Equal("", result.Text("results"));
        Assert.Contains("expected 2 arguments but got 1", result.Text("error"), StringComparison.Ordinal);
        Assert.Equal(1, proplet.Service<PropletMetrics>().TasksFailed);
    }

    [Fact]
    public async Task Start_Invalid_PublishesNothingAndWarns()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("", "add", ExampleWasm.Add, inputs: ["\"1\"", "\"2\""]));
        await proplet.StartTaskAsync(Payloads.Start("no-name", "", ExampleWasm.Add));
        await proplet.StartTaskAsync(Payloads.Start("no-source", "add", wasm: null));
        await proplet.StartTaskAsync(Payloads.Start("enc-file", "add", ExampleWasm.Add, encrypted: true, imageUrl: "x/y:z"));
        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Count(e => e.EventId.Id == EventIds.InvalidStart) == 4, "four validation warnings");
        await proplet.RunAddAsync("valid");

        Assert.Equal(["valid"], proplet.Messages("control/proplet/results").Select(m => m.Text("task_id")));
        Assert.Contains(proplet.Logs.Entries, e => e.Message.Contains("id is required", StringComparison.Ordinal));
        Assert.Contains(proplet.Logs.Entries, e => e.Message.Contains("name is required", StringComparison.Ordinal));
        Assert.Contains(proplet.Logs.Entries, e => e.Message.Contains("either file or image_url must be provided", StringComparison.Ordinal));
        Assert.Contains(proplet.Logs.Entries, e => e.Message.Contains("encrypted workloads should only use image_url, not file", StringComparison.Ordinal));
        Assert.Equal(1, proplet.Service<PropletMetrics>().TasksStarted);
    }

    [Fact]
    public async Task Start_ForAnotherProplet_IsIgnoredUnlessBroadcast()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("elsewhere", "add", ExampleWasm.Add, inputs: ["\"1\"", "\"2\""], propletId: "other"));
        await proplet.StartTaskAsync(Payloads.Start("everywhere", "add", ExampleWasm.Add, inputs: ["\"1\"", "\"2\""], propletId: "other", broadcast: true));

        Assert.Equal("3", (await proplet.ResultAsync("everywhere")).Text("results"));
        await proplet.RunAddAsync("afterwards");
        Assert.Empty(proplet.Results("elsewhere"));
    }

    [Fact]
    public async Task Start_SameIdWhileRunning_RunsOnce()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var start = Payloads.Start("dup", "loop", ExampleWasm.Loop);

        await proplet.StartTaskAsync(start);
        await Task.Delay(100);
        await proplet.StartTaskAsync(start);
        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.DuplicateStart), "the duplicate to be refused");
        await proplet.StopTaskAsync("dup");
        await proplet.ResultAsync("dup");
        await proplet.RunAddAsync("afterwards");

        Assert.Single(proplet.Results("dup"));
        Assert.Equal(2, proplet.Service<PropletMetrics>().TasksStarted); // "dup" once, then "afterwards"
    }

    [Fact]
    public async Task Start_FileNotBase64_PublishesDecodeError()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("bad-b64", "add", wasm: null, file: "!!!"));

        var result = await proplet.ResultAsync("bad-b64");
        Assert.Equal("", result.Text("results"));
        Assert.StartsWith("invalid base64 in file of task bad-b64: ", result.Text("error"), StringComparison.Ordinal);
        await Eventually.TrueAsync(() => proplet.Service<RunningTaskTable>().Count == 0, "an empty running table");
    }

    [Fact]
    public async Task Start_Encrypted_PublishesTeeUnavailable()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("enc", "add", wasm: null, imageUrl: "x/y:z", encrypted: true));

        Assert.Equal("TEE runtime not available", (await proplet.ResultAsync("enc")).Text("error"));
    }

    [Fact]
    public async Task Start_LatentCoreModule_PublishesNotAComponent()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("lat", "add", ExampleWasm.Add, latent: true));

        Assert.Equal(
            "latent tasks require a WASM component; task lat is not a component",
            (await proplet.ResultAsync("lat")).Text("error"));
    }

    [Fact]
    public async Task Start_Guest_SeesPropletIdAndRequestEnvironment()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("env", "main", ExampleWasm.HelloEnv, env: """{"K":"V"}"""));
        await proplet.StartTaskAsync(Payloads.Start("env-own-id", "main", ExampleWasm.HelloEnv, env: """{"PROPLET_ID":"custom"}"""));

        var lines = (await proplet.ResultAsync("env")).Text("results")!.Split('\n');
        Assert.Equal("Hello from Propeller!", lines[0]);
        Assert.Contains($"PROPLET_ID={proplet.PropletId}", lines);
        Assert.Contains("K=V", lines);
        Assert.Contains("PROPLET_ID=custom", (await proplet.ResultAsync("env-own-id")).Text("results")!.Split('\n'));
    }

    [Fact]
    public async Task Start_PropletDirs_ArePreopenedForTheGuest()
    {

        var dir = Directory.CreateTempSubdirectory("propeller-dirs-").FullName;
        try
        {
            await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string> { ["PROPLET_DIRS"] = dir });

            await proplet.StartTaskAsync(Payloads.Start("files", "write", ExampleWasm.Files));

            Assert.Equal("0", (await proplet.ResultAsync("files")).Text("results"));
            Assert.Equal("written by a wasm guest\n", await File.ReadAllTextAsync(Path.Combine(dir, "hello.txt")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Start_ResultOut_TheTaskHasAlreadyLeftTheRunningTable()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var inTableAtResult = new System.Collections.Concurrent.ConcurrentQueue<int>();
        proplet.Arrived += message =>
        {
            if (message.Suffix == "control/proplet/results")
            {
                inTableAtResult.Enqueue(proplet.Service<RunningTaskTable>().Count);
            }
        };
        var start = Payloads.Start("again", "add", ExampleWasm.Add, inputs: ["\"10\"", "\"20\""], propletId: proplet.PropletId);

        // Whoever reads a result may start the same id again at once; that start must not be refused as a duplicate.
        for (var round = 1; round <= 5; round++)
        {
            await proplet.StartTaskAsync(start);
            await Eventually.TrueAsync(() => proplet.Results("again").Count == round, $"result {round}");
        }

        Assert.Equal([0, 0, 0, 0, 0], inTableAtResult);
        Assert.All(proplet.Results("again"), r => Assert.Equal("30", r.Text("results")));
    }

    [Fact]
    public async Task Start_Daemon_ReportsAtOnceAndAcceptsTheSameIdAgain()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var start = Payloads.Start("daemon", "loop", ExampleWasm.Loop, daemon: true);

        await proplet.StartTaskAsync(start);
        var first = await proplet.ResultAsync("daemon");
        Assert.Equal(
            $$"""{"task_id":"daemon","proplet_id":"{{proplet.PropletId}}","results":"","error":null}""",
            first.Payload.GetRawText());
        await Eventually.TrueAsync(() => proplet.Service<RunningTaskTable>().Count == 0, "the daemon to leave the table");

        await proplet.StartTaskAsync(start);
        await Eventually.TrueAsync(() => proplet.Results("daemon").Count == 2, "a second immediate result");
        Assert.Equal(2, proplet.Service<RunningTaskTable>().InFlightCount);

        await proplet.StopTaskAsync("daemon");
        await Eventually.TrueAsync(() => proplet.Service<RunningTaskTable>().InFlightCount == 0, "both daemons to stop");
        await proplet.RunAddAsync("afterwards");
        Assert.Equal(2, proplet.Results("daemon").Count);
        Assert.All(proplet.Results("daemon"), r => Assert.Equal(JsonValueKind.Null, r.Payload.GetProperty("error").ValueKind));
    }
}
