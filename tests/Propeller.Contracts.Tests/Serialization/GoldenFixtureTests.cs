using System.Text.Json;
using System.Text.Json.Nodes;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;

namespace Propeller.Contracts.Tests.Serialization;

/// <summary>Payloads shaped exactly as the original Go manager and Rust proplet send them.</summary>
public sealed class GoldenFixtureTests
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    [Fact]
    public void StartMessage_FromGoManager_ParsesEveryField()
    {
        var start = PropellerJson.Parse(Fixture("go-manager-start.json"), Json.StartMessage);

        Assert.Equal("add", start.Name);
        Assert.Equal(["10", "20"], start.Inputs);
        Assert.Null(start.CliArgs);
        Assert.Equal("9e2b0c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5b", start.PropletId);
        Assert.Equal("hola", start.Env!["GREETING"]);
        Assert.Equal(TimeSpan.FromSeconds(10), start.MonitoringProfile!.IntervalTimeSpan);
        Assert.Equal("42", start.ParentResults!["a7f3"].GetString());
        Assert.StartsWith("AGFzbQ", start.File, StringComparison.Ordinal);
    }

    [Fact]
    public void StartMessage_Written_HasTheGoManagerKeys()
    {
        var start = PropellerJson.Parse(Fixture("go-manager-start.json"), Json.StartMessage);

        var written = JsonNode.Parse(JsonSerializer.Serialize(start, Json.StartMessage))!.AsObject();
        var original = JsonNode.Parse(Fixture("go-manager-start.json"))!.AsObject();

        Assert.Equal(original.Select(p => p.Key).Order(), written.Select(p => p.Key).Order());
        Assert.True(written.ContainsKey("cli_args"));
        Assert.Null(written["cli_args"]);
        Assert.True(JsonNode.DeepEquals(original, written));
    }

    [Fact]
    public void StopMessage_ShutdownForm_HasNoBroadcastKey()
    {
        var json = JsonSerializer.Serialize(new StopMessage { Id = "t", PropletId = "p" }, Json.StopMessage);

        Assert.Equal("""{"id":"t","proplet_id":"p"}""", json);
    }

    [Fact]
    public void ResultMessage_Success_WritesAllFourKeys()
    {
        var result = new ResultMessage { TaskId = "t1", PropletId = "p1", Results = JsonSerializer.SerializeToElement("30", Json.String), Error = null };

        Assert.Equal("""{"task_id":"t1","proplet_id":"p1","results":"30","error":null}""", JsonSerializer.Serialize(result, Json.ResultMessage));
    }

    [Fact]
    public void ResultMessage_FederatedForm_HasObjectResultsAndNoPropletId()
    {
        var result = PropellerJson.Parse(Fixture("rust-proplet-fl-result.json"), Json.ResultMessage);

        Assert.Null(result.PropletId);
        Assert.Equal(JsonValueKind.Object, result.Results!.Value.ValueKind);
        Assert.Equal("r1", result.Results.Value.GetProperty("round_id").GetString());
        Assert.Null(result.Error);
    }

    [Fact]
    public void PropletMetrics_FromRustProplet_ParsesObjectTimestampAndOptionalContainerFields()
    {
        var metrics = PropellerJson.Parse(Fixture("rust-proplet-metrics.json"), Json.PropletMetricsMessage);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1735689600), metrics.Timestamp.AddTicks(-50));
        Assert.Equal(52428800UL, metrics.MemoryMetrics.RssBytes);
        Assert.Equal(104857600UL, metrics.MemoryMetrics.ContainerUsageBytes);
        Assert.Null(metrics.MemoryMetrics.ContainerLimitBytes);
        Assert.Equal(12.5, metrics.CpuMetrics.Percent);
    }

    [Fact]
    public void TaskMetrics_FromRustProplet_ParsesAggregates()
    {
        var metrics = PropellerJson.Parse(Fixture("rust-proplet-task-metrics.json"), Json.TaskMetricsMessage);

        Assert.Equal(150.5, metrics.Metrics.CpuPercent);
        Assert.Equal(12U, metrics.Metrics.FileDescriptorCount);
        Assert.Equal(2UL, metrics.Aggregated!.SampleCount);
    }

    [Fact]
    public void Discovery_FromRustProplet_ParsesMetadata()
    {
        var discovery = PropellerJson.Parse(Fixture("rust-proplet-discovery.json"), Json.DiscoveryMessage);

        Assert.Equal(["edge", "gpu"], discovery.Metadata!.Tags);
        Assert.Equal(16777216000UL, discovery.Metadata.TotalMemoryBytes);
        Assert.Equal("x86_64", discovery.Metadata.CpuArch);
        Assert.Null(discovery.Metadata.Description);
    }

    [Fact]
    public void MonitoringProfile_PartialObject_TakesStandardDefaults()
    {
        var start = PropellerJson.Parse("""{"id":"t","name":"n","monitoring_profile":{"interval":2}}"""u8, Json.StartMessage);

        Assert.Equal(TimeSpan.FromSeconds(2), start.MonitoringProfile!.IntervalTimeSpan);
        Assert.Equal(100, start.MonitoringProfile.HistorySize);
        Assert.True(start.MonitoringProfile.ExportToMqtt);
    }
}
