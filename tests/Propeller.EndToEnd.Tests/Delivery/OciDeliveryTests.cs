using System.Diagnostics;
using System.Net;
using Propeller.Cli;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Proxy.Hosting;
using Propeller.Testing;
using Propeller.Testing.Registry;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests.Delivery;

/// <summary>
/// Wasm pushed to a real registry (Debian's docker-registry on loopback) with <c>propeller push</c> reaches proplets
/// through the proxy's chunks over the embedded broker.
/// </summary>
public sealed class OciDeliveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PushedReference_ByTagAndByDigest_RunsAndReturns30()
    {
        await using var registry = await RegistryProcess.StartAsync();
        var reference = $"{registry.Host}/apps/add:v1";
        var digest = await PushAsync(RepoPaths.Example("add", "add.wat"), reference);
        await using var env = await PropellerTestEnvironment.StartAsync(output);

        var byTag = await RunAsync(env, reference);
        var byDigest = await RunAsync(env, $"{registry.Host}/apps/add@{digest}");

        Assert.True(byTag.State == TaskState.Completed, byTag.Error);
        Assert.Equal("30", byTag.Results!.Value.GetString());
        Assert.True(byDigest.State == TaskState.Completed, byDigest.Error);
        Assert.Equal("30", byDigest.Results!.Value.GetString());
    }

    [Fact]
    public async Task TamperedBlob_FailsTheTaskWithADigestMismatch()
    {
        await using var registry = await RegistryProcess.StartAsync();
        var wasm = PropellerTestEnvironment.Wat("add", "add.wat");
        var file = WriteTemp(wasm);
        await PushAsync(file, $"{registry.Host}/apps/add:v1");
        registry.CorruptBlob(Digest(wasm));
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        env.ExpectError(e => e.Message.Contains("digest mismatch", StringComparison.Ordinal));

        var task = await RunAsync(env, $"{registry.Host}/apps/add:v1");

        output.WriteLine($"task error: {task.Error}");
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Contains("digest mismatch", task.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FiveMiBModule_TravelsInElevenChunksAndRuns()
    {
        await using var registry = await RegistryProcess.StartAsync();
        var wasm = WithPadding(PropellerTestEnvironment.Wat("add", "add.wat"), 5 * 1024 * 1024);
        await PushAsync(WriteTemp(wasm), $"{registry.Host}/apps/big:v1");
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        var proxy = ProxyApp.Metrics(env.Stack.ProxyHost);

        var task = await RunAsync(env, $"{registry.Host}/apps/big:v1");

        Assert.True(task.State == TaskState.Completed, task.Error);
        Assert.Equal("30", task.Results!.Value.GetString());
        Assert.Equal(11, proxy.ChunksPublished);
        Assert.Equal(wasm.Length, proxy.BytesPublished);
    }

    [Fact]
    public async Task UnknownReference_FailsAtOnceWithTheRegistryError()
    {
        await using var registry = await RegistryProcess.StartAsync();
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        env.ExpectError(e => e.Message.Contains("manifest unknown", StringComparison.OrdinalIgnoreCase));
        var clock = Stopwatch.StartNew();

        var task = await RunAsync(env, $"{registry.Host}/apps/nothing:here");

        output.WriteLine($"task error after {clock.Elapsed.TotalSeconds:F2} s: {task.Error}");
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Contains("MANIFEST_UNKNOWN", task.Error, StringComparison.OrdinalIgnoreCase);

        // The proxy's error status ends the wait; without it the proplet would give up only after 60 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task AuthenticatedRegistry_ProxyWithCredentials_Runs(RegistryAuthMode mode)
    {
        await using var registry = await RegistryProcess.StartAsync(mode);
        await PushAsync(RepoPaths.Example("add", "add.wat"), $"{registry.Host}/apps/add:v1", registry.Username, registry.Password);
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1, proxyEnvironment: Credentials(registry, registry.Password!));

        var task = await RunAsync(env, $"{registry.Host}/apps/add:v1");

        Assert.True(task.State == TaskState.Completed, task.Error);
        Assert.Equal("30", task.Results!.Value.GetString());
        if (mode == RegistryAuthMode.Token)
        {
            Assert.Contains("repository:apps/add:pull", registry.TokenScopes);
        }
    }

    [Theory]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task AuthenticatedRegistry_WrongPassword_FailsTheTaskClearly(RegistryAuthMode mode)
    {
        await using var registry = await RegistryProcess.StartAsync(mode);
        await PushAsync(RepoPaths.Example("add", "add.wat"), $"{registry.Host}/apps/add:v1", registry.Username, registry.Password);
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1, proxyEnvironment: Credentials(registry, "not-the-password"));
        env.ExpectError(e => e.Message.Contains("401", StringComparison.Ordinal));

        var task = await RunAsync(env, $"{registry.Host}/apps/add:v1");

        output.WriteLine($"task error: {task.Error}");
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Contains("401", task.Error, StringComparison.Ordinal);
        Assert.Contains(registry.Host, task.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameReference_TwoTasksTogetherFetchOnce_AndALaterTaskHitsTheCache()
    {
        await using var registry = await RegistryProcess.StartAsync();
        var reference = $"{registry.Host}/apps/add:v1";
        await PushAsync(RepoPaths.Example("add", "add.wat"), reference);
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var proxy = ProxyApp.Metrics(env.Stack.ProxyHost);

        var first = await CreateAsync(env, reference);
        var second = await CreateAsync(env, reference);
        await Task.WhenAll(StartAsync(env, first.Id), StartAsync(env, second.Id));
        var together = await Task.WhenAll(env.WaitForTerminalAsync(first.Id), env.WaitForTerminalAsync(second.Id));
        var hitsBefore = CacheHits(env);

        var later = await RunAsync(env, reference);

        Assert.All(together, t => Assert.True(t.State == TaskState.Completed, t.Error));
        Assert.True(later.State == TaskState.Completed, later.Error);
        Assert.Equal(1, proxy.BlobDownloads);
        Assert.Equal(hitsBefore + 1, CacheHits(env));
        Assert.Equal(1, proxy.UnchangedReplies);
    }

    private static long CacheHits(PropellerTestEnvironment env) =>
        Enumerable.Range(0, env.Stack.PropletIds.Count).Sum(i => env.PropletMetrics(i).BinaryCacheHits);

    private static Dictionary<string, string> Credentials(RegistryProcess registry, string password) => new()
    {
        ["PROXY_AUTHENTICATE"] = "true",
        ["PROXY_REGISTRY_URL"] = registry.Host,
        ["PROXY_REGISTRY_USERNAME"] = registry.Username!,
        ["PROXY_REGISTRY_PASSWORD"] = password,
    };

    private static async Task<string> PushAsync(string file, string reference, string? username = null, string? password = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] args = username is null ? ["push", file, reference] : ["push", file, reference, "-u", username, "-p", password!];
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        return stdout.ToString().Trim();
    }

    private static Task<TaskDto> CreateAsync(PropellerTestEnvironment env, string imageUrl) =>
        env.CreateTaskAsync(new TaskDto { Name = "add", ImageUrl = imageUrl, Inputs = ["10", "20"] });

    private static async Task StartAsync(PropellerTestEnvironment env, string id)
    {
        using var start = await env.Http.PostAsync($"tasks/{id}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
    }

    private static async Task<TaskDto> RunAsync(PropellerTestEnvironment env, string imageUrl)
    {
        var task = await CreateAsync(env, imageUrl);
        await StartAsync(env, task.Id);
        return await env.WaitForTerminalAsync(task.Id);
    }

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    private static string WriteTemp(byte[] wasm)
    {
        var path = Path.Combine(Path.GetTempPath(), $"propeller-e2e-{Guid.NewGuid():N}.wasm");
        File.WriteAllBytes(path, wasm);
        return path;
    }

    /// <summary>The module plus a custom section of <paramref name="size"/> bytes: still valid Wasm, now that big.</summary>
    private static byte[] WithPadding(byte[] module, int size)
    {
        var name = "padding"u8.ToArray();
        var payloadLength = 1 + name.Length + size;
        using var buffer = new MemoryStream();
        buffer.Write(module);
        buffer.WriteByte(0);
        for (var value = (uint)payloadLength; ; )
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            buffer.WriteByte(value == 0 ? b : (byte)(b | 0x80));
            if (value == 0)
            {
                break;
            }
        }

        buffer.WriteByte((byte)name.Length);
        buffer.Write(name);
        buffer.Write(new byte[size]);
        return buffer.ToArray();
    }
}
