using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Cli.Hosts;
using Propeller.Contracts.Messages;
using Propeller.Proplet.Tasks;
using Propeller.Proxy.Oci;
using Propeller.Testing;
using Propeller.Testing.Registry;

namespace Propeller.Benchmarks.Delivery;

/// <summary>
/// Everything one delivery benchmark needs, started once: a docker-registry holding the module, a loopback HTTP
/// server serving the same bytes, and a <see cref="DevStack"/> (embedded broker, proxy, one proplet) whose proplet
/// keeps no binary cache, so every acquisition really travels.
/// </summary>
internal sealed class DeliveryRig : IAsyncDisposable
{
    private readonly RegistryProcess _registry;
    private readonly WasmFileServer _files;
    private readonly DevStack _stack;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _dataDir;
    private int _sequence;

    private DeliveryRig(RegistryProcess registry, WasmFileServer files, DevStack stack, ILoggerFactory loggerFactory, string dataDir, string reference, byte[] wasm)
    {
        _registry = registry;
        _files = files;
        _stack = stack;
        _loggerFactory = loggerFactory;
        _dataDir = dataDir;
        Reference = reference;
        Wasm = wasm;
        Source = stack.PropletHosts[0].Services.GetRequiredService<TaskBinarySource>();
    }

    /// <summary>The module every path delivers.</summary>
    public byte[] Wasm { get; }

    /// <summary>The OCI reference the module was pushed under.</summary>
    public string Reference { get; }

    public Uri HttpUrl => _files.Url;

    /// <summary>The proplet's own entry point for a task's binary.</summary>
    public TaskBinarySource Source { get; }

    /// <param name="sizeMiB">Size of the module.</param>
    /// <param name="proxyCache">False sets <c>PROXY_CACHE_BYTES=0</c>: every delivery downloads the blob again.</param>
    public static async Task<DeliveryRig> StartAsync(int sizeMiB, bool proxyCache)
    {
        if ((RequiredTool.Find("/usr/bin/docker-registry") ?? RequiredTool.Find("docker-registry")) is null)
        {
            const string message = "The delivery benchmarks need Debian's docker-registry (apt-get install docker-registry); it is not installed.";
            await Console.Error.WriteLineAsync(message).ConfigureAwait(false);
            throw new InvalidOperationException(message);
        }

        var wasm = PaddedWasm.Create(sizeMiB * 1024 * 1024);
        var registry = await RegistryProcess.StartAsync().ConfigureAwait(false);
        WasmFileServer? files = null;
        DevStack? stack = null;
        var dataDir = Directory.CreateTempSubdirectory("propeller-bench-delivery-").FullName;
        var logging = HostLogging.Readable(LogLevel.Warning);
        var loggerFactory = HostLogging.Factory(logging);
        try
        {
            var reference = $"{registry.Host}/bench/delivery:{sizeMiB}mib";
            using (var client = new OciRegistryClient(new OciClientOptions(), NullLogger<OciRegistryClient>.Instance))
            {
                await client.PushWasmAsync(OciReference.Parse(reference), wasm, CancellationToken.None).ConfigureAwait(false);
            }

            files = await WasmFileServer.StartAsync(wasm).ConfigureAwait(false);
            var options = new DevStackOptions
            {
                DataDir = dataDir,
                Proplets = 1,
                MqttPort = 0,
                HttpPort = 0,
                ProxyHttpPort = 0,
                LogLevel = LogLevel.Warning,
                ProxyEnvironment = proxyCache ? new Dictionary<string, string>() : new Dictionary<string, string> { ["PROXY_CACHE_BYTES"] = "0" },
                PropletEnvironment = new Dictionary<string, string> { ["PROPLET_BINARY_CACHE_BYTES"] = "0" },
            };
            stack = await DevStack.StartAsync(options, loggerFactory, logging, CancellationToken.None).ConfigureAwait(false);
            var rig = new DeliveryRig(registry, files, stack, loggerFactory, dataDir, reference, wasm);
            await rig.WaitUntilDeliveringAsync().ConfigureAwait(false);
            return rig;
        }
        catch
        {
            await StopAsync(stack, files, registry, loggerFactory, dataDir).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One complete delivery of <paramref name="imageUrl"/> into the proplet's memory; checks the size.</summary>
    public async Task<int> AcquireAsync(string imageUrl, CancellationToken cancellationToken = default)
    {
        var start = new StartMessage
        {
            Id = $"bench-{Interlocked.Increment(ref _sequence)}",
            Name = "delivery",
            ImageUrl = imageUrl,
        };
        var wasm = await Source.AcquireAsync(start, cancellationToken).ConfigureAwait(false);
        return wasm.Length == Wasm.Length
            ? wasm.Length
            : throw new InvalidOperationException($"{imageUrl} delivered {wasm.Length} bytes, expected {Wasm.Length}");
    }

    public ValueTask DisposeAsync() => new(StopAsync(_stack, _files, _registry, _loggerFactory, _dataDir));

    /// <summary>
    /// The proplet subscribes after its host has started; until then a request would go unanswered. One delivery
    /// over each path proves the rig works (and warms the proxy's cache when it has one).
    /// </summary>
    private async Task WaitUntilDeliveringAsync()
    {
        await AcquireAsync(HttpUrl.ToString()).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await AcquireAsync(Reference, attempt.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is TaskFailedException or OperationCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    private static async Task StopAsync(DevStack? stack, WasmFileServer? files, RegistryProcess registry, ILoggerFactory loggerFactory, string dataDir)
    {
        if (stack is not null)
        {
            await stack.DisposeAsync().ConfigureAwait(false);
        }

        if (files is not null)
        {
            await files.DisposeAsync().ConfigureAwait(false);
        }

        await registry.DisposeAsync().ConfigureAwait(false);
        loggerFactory.Dispose();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold its file a moment longer; the system's temp cleaner takes it.
        }
    }
}
