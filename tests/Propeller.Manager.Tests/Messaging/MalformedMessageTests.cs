using Microsoft.Extensions.Logging;
using Propeller.Contracts.Topics;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Messaging;

public sealed class MalformedMessageTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> BadPayloads()
    {
        string[] anywhere =
        [
            "not json at all",
            "",
            "[1,2,3]",
            "\"a string\"",
            "{\"proplet_id\":",
            """{"proplet_id":5,"task_id":5}""",
            """{"proplet_id":{"nested":true},"task_id":["x"]}""",
            """{"proplet_id":"","task_id":""}""",
        ];
        var wrongTypes = new Dictionary<string, string[]>
        {
            [TopicSuffixes.PropletCreate] = ["""{"proplet_id":"p","metadata":{"total_memory_bytes":"lots"}}""", """{"proplet_id":"p","metadata":{"tags":"edge"}}"""],
            [TopicSuffixes.PropletAlive] = ["""{"proplet_id":["p"]}""", """{"proplet_id":"p","status":5}"""],
            [TopicSuffixes.PropletResults] = ["""{"task_id":"t","results":"x","error":42}""", """{"task_id":"t","proplet_id":7,"results":"x"}"""],
            [TopicSuffixes.PropletMetrics] =
            [
                """{"proplet_id":"p","timestamp":{"secs_since_epoch":-5}}""", """{"proplet_id":"p","cpu_metrics":{"percent":"high"}}""",
                """{"proplet_id":"p","timestamp":5,"timestamp":6}""",
            ],
            [TopicSuffixes.PropletTaskMetrics] =
            [
                """{"task_id":"t","metrics":{"memory_bytes":-1}}""", """{"task_id":"t","timestamp":"yesterday"}""",
                """{"task_id":"t","timestamp":5,"timestamp":6}""",
            ],
        };
        var data = new TheoryData<string, string>();
        foreach (var (topic, specific) in wrongTypes)
        {
            foreach (var payload in anywhere.Concat(specific))
            {
                data.Add(topic, payload);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadPayloads))]
    public async Task BadPayload_IsAWarningAndTheNextMessageStillWorks(string topic, string payload)
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();

        await probe.PublishAsync(topic, payload);
        await Eventually.TrueAsync(() => host.Logs.Entries.Any(e => e.Level == LogLevel.Warning && e.EventId.Id is >= 2300 and < 2400), "a warning");
        var next = Guid.NewGuid().ToString();
        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.Heartbeat(next));

        await Eventually.ValueAsync(() => host.GetPropletAsync(next), p => p.AliveHistory.Count == 1, "the next heartbeat to be handled");
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task ManagerOwnCommands_AreNotHandledAsInput()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");
        await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadJsonAsync();
        await (await host.Http.PostAsync($"tasks/{created["id"]}/stop", null)).ReadJsonAsync();
        await probe.WaitForAsync(TopicSuffixes.ManagerStop);
        await probe.PublishAsync(TopicSuffixes.ManagerInvoke, "garbage");
        await probe.PublishAsync(TopicSuffixes.RegistryServer, "garbage");

        var marker = Guid.NewGuid().ToString();
        await probe.PublishAsync(TopicSuffixes.PropletAlive, RustPayloads.Heartbeat(marker));
        await Eventually.ValueAsync(() => host.GetPropletAsync(marker), _ => true, "the marker");

        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning && e.EventId.Id is >= EventIds.MalformedMessage and < 2400);
    }
}
