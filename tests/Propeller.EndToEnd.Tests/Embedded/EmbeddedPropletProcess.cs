using System.Diagnostics;
using Propeller.Broker.Credentials;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests.Embedded;

/// <summary>
/// The C proplet (host build) as a child process of the test, connected to the test stack's embedded broker with a
/// proplet entity of its own. Its log lines go to the test output.
/// </summary>
internal sealed class EmbeddedPropletProcess : IAsyncDisposable
{
    private readonly Process _process;

    private EmbeddedPropletProcess(Process process, string id)
    {
        _process = process;
        Id = id;
    }

    public string Id { get; }

    public bool HasExited => _process.HasExited;

    public static async Task<EmbeddedPropletProcess> StartAsync(
        PropellerTestEnvironment env, ITestOutputHelper output, IReadOnlyDictionary<string, string>? extra = null)
    {
        var binary = await EmbeddedPropletBuild.PathAsync();
        var (tenant, channel) = env.ChannelOfManager();
        var issued = env.Stack.Credentials.CreateEntity(tenant, "c-proplet-" + Guid.NewGuid().ToString("N")[..8], EntityRole.Proplet);
        env.Stack.Credentials.Grant(issued.Entity.Id, channel, ChannelPermissions.Publish | ChannelPermissions.Subscribe);

        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = env.DataDir,
        };
        start.Environment["PROPLET_MQTT_ADDRESS"] = $"tcp://127.0.0.1:{env.Stack.MqttPort}";
        start.Environment["PROPLET_TENANT_ID"] = tenant;
        start.Environment["PROPLET_CHANNEL_ID"] = channel;
        start.Environment["PROPLET_ENTITY_ID"] = issued.Entity.Id;
        start.Environment["PROPLET_API_KEY"] = issued.ApiKey;
        start.Environment["PROPLET_LIVELINESS_INTERVAL"] = "1";
        start.Environment["PROPLET_CONFIG_FILE"] = Path.Combine(env.DataDir, "no-such-config.toml");
        start.Environment["PROPLET_KV_DIR"] = Path.Combine(env.DataDir, "c-proplet-kv-" + issued.Entity.Id);
        start.Environment["PROPLET_LOG_LEVEL"] = "debug";
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => Write(output, line.Data);
        process.ErrorDataReceived += (_, line) => Write(output, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new EmbeddedPropletProcess(process, issued.Entity.Id);
    }

    /// <summary>SIGKILL: no clean disconnect, so only the broker's Last Will tells the manager.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    // The test may have finished while the process still writes; its output helper then refuses lines.
    private static void Write(ITestOutputHelper output, string? line)
    {
        if (line is null)
        {
            return;
        }

        try
        {
            output.WriteLine("[c-proplet] " + line);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
