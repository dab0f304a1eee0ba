using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Errors;
using Propeller.Manager.Plugins;
using Propeller.Manager.Proplets;
using Propeller.Manager.Tasks;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Plugins;

/// <summary>The ABI against real Wasm, and the merge rules of manager-reference §9 across several plugins.</summary>
public sealed class PluginHostTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly CapturingLoggerProvider _logs = new();
    private readonly List<PluginHost> _hosts = [];

    private static PropellerTask Task(string name = "job") => new()
    {
        Id = Guid.NewGuid().ToString(),
        Name = name,
        Priority = 50,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task AuthorizeAsync_RefusalWithReason_ThrowsThatReason()
    {
        var host = Host(Answer("authorize", """{"allow":false,"reason":"no"}"""));

        var denied = await Assert.ThrowsAsync<PluginDeniedException>(() => host.AuthorizeAsync(PluginActions.Delete, Task(), CancellationToken.None));

        Assert.Equal("no", denied.Message);
    }

    [Fact]
    public async Task AuthorizeAsync_RefusalWithoutReason_SaysDeniedByPlugin()
    {
        var host = Host(Answer("authorize", """{"allow":false}"""));

        var denied = await Assert.ThrowsAsync<PluginDeniedException>(() => host.AuthorizeAsync(PluginActions.Start, Task(), CancellationToken.None));

        Assert.Equal("denied by plugin", denied.Message);
    }

    [Fact]
    public async Task AuthorizeAsync_ZeroLengthAnswerAndAllow_Permit()
    {
        var host = Host(Answer("authorize", ""), Answer("authorize", """{"allow":true}"""));

        await host.AuthorizeAsync(PluginActions.Create, Task(), CancellationToken.None);
    }

    [Fact]
    public async Task AuthorizeAsync_DenyForbiddenExample_RefusesOnlyForbiddenNames()
    {
        var host = Host(("deny-forbidden", PluginWat.Example("deny-forbidden.wat")));

        var denied = await Assert.ThrowsAsync<PluginDeniedException>(() => host.AuthorizeAsync(PluginActions.Create, Task("forbidden-miner"), CancellationToken.None));
        Assert.Equal("name is forbidden by policy", denied.Message);
        await host.AuthorizeAsync(PluginActions.Create, Task("allowed") with { Env = new Dictionary<string, string> { ["name"] = "forbidden" } }, CancellationToken.None);
        await host.AuthorizeAsync(PluginActions.Start, Task("not-forbidden"), CancellationToken.None);
    }

    [Fact]
    public async Task AuthorizeAsync_Request_CarriesContextAndTaskInfoInSnakeCase()
    {
        // The hook writes its request to stdout, which the host logs line by line.
        var echo = PluginWat.WithHook("authorize", """
            (i32.store (i32.const 0) (local.get 0))
            (i32.store (i32.const 4) (local.get 1))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (i64.const 0)
            """).Replace("(memory", """(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32))) (memory""", StringComparison.Ordinal);
        var host = Host(("echo", PluginWat.Compile(echo)));
        var task = Task() with { ImageUrl = "oci://x", Inputs = ["1"], Env = new Dictionary<string, string> { ["K"] = "V" }, Daemon = true };

        await host.AuthorizeAsync(PluginActions.Invoke, task, CancellationToken.None);

        var line = Assert.Single(_logs.Entries, e => e.EventId.Id == EventIds.PluginStdout);
        Assert.Equal(LogLevel.Information, line.Level);
        var json = JsonDocument.Parse(line.Message["Plugin echo: ".Length..]).RootElement;
        Assert.Equal("alice", json.GetProperty("context").GetProperty("user_id").GetString());
        Assert.Equal("invoke", json.GetProperty("context").GetProperty("action").GetString());
        var info = json.GetProperty("task");
        Assert.Equal(task.Id, info.GetProperty("id").GetString());
        Assert.Equal("oci://x", info.GetProperty("image_url").GetString());
        Assert.Equal("V", info.GetProperty("env").GetProperty("K").GetString());
        Assert.True(info.GetProperty("daemon").GetBoolean());
        Assert.Equal(50, info.GetProperty("priority").GetInt32());
        Assert.False(info.TryGetProperty("encrypted", out _));
        Assert.False(info.TryGetProperty("file", out _));
    }

    [Fact]
    public async Task AuthorizeAsync_AnswerOutsideMemory_FailsClosedWithoutCrashing()
    {
        var host = Host(("bad", PluginWat.Compile(PluginWat.WithHook("authorize", "(i64.const 0x7fff000000000010)"))));

        var denied = await Assert.ThrowsAsync<PluginDeniedException>(() => host.AuthorizeAsync(PluginActions.Create, Task(), CancellationToken.None));

        Assert.StartsWith("plugin bad authorize: ", denied.Message, StringComparison.Ordinal);
        Assert.Contains("outside the plugin's memory", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthorizeAsync_MalformedAnswer_FailsClosed()
    {
        var host = Host(Answer("authorize", "{not json"));

        var denied = await Assert.ThrowsAsync<PluginDeniedException>(() => host.AuthorizeAsync(PluginActions.Create, Task(), CancellationToken.None));

        Assert.StartsWith("plugin p0 authorize: invalid answer", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthorizeAsync_TrappingPlugin_FailsClosedAndStaysUsable()
    {
        var host = Host(("trap", PluginWat.Compile(PluginWat.WithHook("authorize", "(unreachable)"))));

        for (var call = 0; call < 2; call++)
        {
            var denied = await Assert.ThrowsAsync<PluginDeniedException>(() => host.AuthorizeAsync(PluginActions.Create, Task(), CancellationToken.None));
            Assert.StartsWith("plugin trap authorize: ", denied.Message, StringComparison.Ordinal);
            Assert.Contains("unreachable", denied.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AuthorizeAsync_EndlessLoop_IsInterruptedAtTheTimeout()
    {
        var loop = PluginWat.Compile(PluginWat.WithHook("authorize", "(loop $spin (br $spin)) (i64.const 0)"));
        var host = Host(TimeSpan.FromMilliseconds(200), ("spin", loop));
        var watch = Stopwatch.StartNew();

        var denied = await Assert.ThrowsAsync<PluginDeniedException>(() => host.AuthorizeAsync(PluginActions.Create, Task(), CancellationToken.None));

        Assert.Equal("plugin spin authorize: timed out after 200ms", denied.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task EnrichAsync_SeveralPlugins_MergeByTheRules()
    {
        var host = Host(
            Answer("enrich_task", """{"env":{"A":"1","B":"1"},"priority":20,"inputs":["x","y"],"image_url":"oci://one"}"""),
            Answer("enrich_task", """{"env":{"B":"2"},"priority":70,"inputs":["y","z"],"image_url":""}"""),
            Answer("enrich_task", """{"inputs":["x"]}"""));
        var task = Task() with { Env = new Dictionary<string, string> { ["A"] = "0", ["C"] = "0" }, Inputs = ["x"], ImageUrl = "oci://original" };

        var enriched = await host.EnrichAsync(task, CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "2", ["C"] = "0" }, enriched.Env);
        Assert.Equal(70, enriched.Priority);
        Assert.Equal(["x", "y", "z"], enriched.Inputs);
        Assert.Equal("oci://one", enriched.ImageUrl);
    }

    [Fact]
    public async Task EnrichAsync_FailingPlugin_IsLoggedAndSkipped()
    {
        var host = Host(
            ("trap", PluginWat.Compile(PluginWat.WithHook("enrich_task", "(unreachable)"))),
            ("enrich-env", PluginWat.Example("enrich-env.wat")));

        var enriched = await host.EnrichAsync(Task(), CancellationToken.None);

        Assert.Equal("yes", enriched.Env!["PLUGIN_ENRICHED"]);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == EventIds.PluginEnrichFailed && e.Message.Contains("trap", StringComparison.Ordinal));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == EventIds.PluginStdout && e.Message == "Plugin enrich-env: enrich-env: added PLUGIN_ENRICHED=yes");
    }

    [Fact]
    public async Task BeforePropletSelectAsync_TwoPlugins_UnionTagsAndTakeTheLargestMemory()
    {
        var host = Host(
            Answer("on_before_proplet_select", """{"allow":true,"required_tags":["gpu","edge"],"min_memory_bytes":1000}"""),
            Answer("on_before_proplet_select", """{"allow":true,"required_tags":["edge","eu"],"min_memory_bytes":5000}"""),
            Answer("on_before_proplet_select", ""));

        var constraints = await host.BeforePropletSelectAsync(Task(), CancellationToken.None);

        Assert.Equal(["gpu", "edge", "eu"], constraints.RequiredTags);
        Assert.Equal(5000UL, constraints.MinMemoryBytes);
        var requirements = constraints.AddTo(new Contracts.Api.TaskRequirements { Tags = ["own"], MinMemoryBytes = 9000 })!;
        Assert.Equal(["own", "gpu", "edge", "eu"], requirements.Tags);
        Assert.Equal(9000UL, requirements.MinMemoryBytes);
    }

    [Fact]
    public async Task BeforePropletSelectAsync_Refusal_BlocksSelection()
    {
        var host = Host(Answer("on_before_proplet_select", """{"allow":false}"""));

        var denied = await Assert.ThrowsAsync<PluginDeniedException>(() => host.BeforePropletSelectAsync(Task(), CancellationToken.None));

        Assert.Equal("proplet selection blocked by plugin", denied.Message);
    }

    [Fact]
    public async Task BeforeDispatchAsync_ExtraEnv_IsMergedLaterPluginWinning()
    {
        var host = Host(
            Answer("on_before_dispatch", """{"allow":true,"extra_env":{"A":"1","B":"1"}}"""),
            Answer("on_before_dispatch", """{"allow":true,"extra_env":{"B":"2"}}"""));
        var proplet = new Proplet { Id = "p1", Name = "Morgan-Riley", Metadata = new PropletMetadata { Tags = ["edge"] } };

        var task = await host.BeforeDispatchAsync(Task() with { Env = new Dictionary<string, string> { ["C"] = "3" } }, proplet, CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "2", ["C"] = "3" }, task.Env);
    }

    [Fact]
    public async Task BeforeDispatchAsync_Refusal_UsesItsReason()
    {
        var host = Host(Answer("on_before_dispatch", """{"allow":false,"reason":"not on that proplet"}"""));
        var proplet = new Proplet { Id = "p1", Name = "Morgan-Riley" };

        var denied = await Assert.ThrowsAsync<PluginDeniedException>(() => host.BeforeDispatchAsync(Task(), proplet, CancellationToken.None));

        Assert.Equal("not on that proplet", denied.Message);
    }

    [Fact]
    public async Task NotifyTaskComplete_FailingPlugin_IsLoggedInTheBackground()
    {
        var host = Host(("trap", PluginWat.Compile(PluginWat.WithHook("on_task_complete", "(unreachable)"))));

        host.NotifyTaskComplete(Task() with { State = TaskState.Failed, Error = "boom" });

        await Eventually.TrueAsync(() => _logs.Entries.Any(e => e.EventId.Id == EventIds.PluginNotificationFailed), "the notification failure to be logged");
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }

        _logs.Dispose();
    }

    private static (string Name, byte[] Wasm) Answer(string hook, string json) =>
        ("", PluginWat.Compile(PluginWat.Answering(new Dictionary<string, string> { [hook] = json })));

    private PluginHost Host(params (string Name, byte[] Wasm)[] plugins) => Host(Timeout, plugins);

    private PluginHost Host(TimeSpan timeout, params (string Name, byte[] Wasm)[] plugins)
    {
        var logger = _logs.CreateLogger("plugins");
        var loaded = plugins.Select((p, i) => WasmPlugin.Load(p.Name.Length == 0 ? $"p{i}" : p.Name, p.Wasm, timeout, logger)).ToList();
        var host = new PluginHost(loaded, () => "alice", timeout, logger);
        _hosts.Add(host);
        return host;
    }
}
