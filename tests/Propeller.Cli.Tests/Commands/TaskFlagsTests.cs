using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Propeller.Cli.Commands;
using Propeller.Cli.Output;
using Propeller.Contracts.Serialization;

namespace Propeller.Cli.Tests.Commands;

public sealed class TaskFlagsTests
{
    [Fact]
    public void SplitList_CommaSeparatedAndRepeated_AreFlattened() =>
        Assert.Equal(["10", "20", "30"], TaskFlags.SplitList(["10,20", "30"]));

    [Fact]
    public void SplitList_Nothing_IsNullSoTheFieldIsNotSent() => Assert.Null(TaskFlags.SplitList([]));

    [Fact]
    public void Pairs_KeepEverythingAfterTheFirstEquals() =>
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "x=y" }, TaskFlags.Pairs(["A=1", "B=x=y"]));

    [Theory]
    [InlineData("novalue")]
    [InlineData("=value")]
    public void Pairs_WithoutKey_IsUsageError(string item) =>
        Assert.Throws<CliUsageException>(() => TaskFlags.Pairs([item]));

    [Fact]
    public async Task BuildAsync_SchedulingAndPlacementFlags_ReachTheJson()
    {
        var json = await BuildJsonAsync(
            "t", "--schedule", "*/5 * * * *", "--timezone", "Europe/Berlin", "--priority", "80", "--is-recurring",
            "--proplet-id", "p-1", "--requirement", "tag=gpu", "--requirement", "tag=lab,edge", "--requirement", "min_memory_bytes=1073741824",
            "--requirement", "cpu_arch=aarch64", "--requirement", "wasm_runtime=wasmtime-internal", "--retry-max-attempts", "3", "--retry-backoff-ms", "250");

        Assert.Equal("*/5 * * * *", json["schedule"]!.GetValue<string>());
        Assert.Equal("Europe/Berlin", json["timezone"]!.GetValue<string>());
        Assert.Equal(80, json["priority"]!.GetValue<int>());
        Assert.True(json["is_recurring"]!.GetValue<bool>());
        Assert.Equal("p-1", json["proplet_id"]!.GetValue<string>());
        Assert.Equal(
            """{"tags":["gpu","lab","edge"],"min_memory_bytes":1073741824,"cpu_arch":"aarch64","wasm_runtime":"wasmtime-internal"}""",
            json["requirements"]!.ToJsonString());
        Assert.Equal("""{"max_attempts":3,"backoff_ms":250}""", json["retry"]!.ToJsonString());
    }

    [Fact]
    public async Task BuildAsync_Broadcast_ReachesTheJson()
    {
        var json = await BuildJsonAsync("t", "--broadcast");

        Assert.True(json["broadcast"]!.GetValue<bool>());
        Assert.False(json.ContainsKey("requirements"));
        Assert.False(json.ContainsKey("retry"));
    }

    [Fact]
    public void Retry_OnlyMaxAttempts_UsesTheDefaultBackoff()
    {
        var retry = TaskFlags.Retry(2, null)!;

        Assert.Equal((2, TaskFlags.DefaultRetryBackoffMs), (retry.MaxAttempts, retry.BackoffMs));
    }

    [Fact]
    public void Retry_BackoffWithoutMaxAttempts_IsUsageError() =>
        Assert.Throws<CliUsageException>(() => TaskFlags.Retry(null, 100));

    [Theory]
    [InlineData("gpu")]
    [InlineData("tag=")]
    [InlineData("colour=blue")]
    [InlineData("min_memory_bytes=lots")]
    [InlineData("min_memory_bytes=-1")]
    public void Requirements_BadItem_IsUsageError(string item) =>
        Assert.Throws<CliUsageException>(() => TaskFlags.Requirements([item]));

    private static async Task<JsonObject> BuildJsonAsync(params string[] args)
    {
        var flags = new TaskFlags();
        var name = new Argument<string>("name");
        var command = new RootCommand { name };
        flags.AddTo(command);
        flags.AddCreateOnlyTo(command);
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        var context = new CommandContext(parse, new CliConsole(TextWriter.Null, TextWriter.Null, json: true));
        var dto = await flags.BuildAsync(context, parse.GetValue(name), CancellationToken.None);
        return JsonNode.Parse(JsonSerializer.Serialize(dto, PropellerJsonContext.Default.TaskDto))!.AsObject();
    }
}
