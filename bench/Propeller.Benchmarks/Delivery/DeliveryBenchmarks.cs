using BenchmarkDotNet.Attributes;

namespace Propeller.Benchmarks.Delivery;

/// <summary>
/// One complete delivery of the same module into the proplet's memory, per op: straight over HTTP (the baseline),
/// as the proxy's base64 chunks over the embedded broker with the proxy's blob cache warm, and the same with the
/// proxy downloading the blob from the registry every time. The proplet's binary cache is off throughout.
/// </summary>
[Config(typeof(DeliveryConfig))]
[MemoryDiagnoser]
public class DeliveryBenchmarks : IDisposable
{
    private DeliveryRig? _rig;
    private string _httpUrl = "";

    [Params(1, 5)]
    public int SizeMiB { get; set; } = 1;

    [GlobalSetup(Targets = [nameof(HttpDownload), nameof(ChunkedViaProxy)])]
    public void SetupWarm() => Setup(proxyCache: true);

    [GlobalSetup(Target = nameof(ChunkedViaProxyCold))]
    public void SetupCold() => Setup(proxyCache: false);

    [Benchmark(Baseline = true)]
    public Task<int> HttpDownload() => _rig!.AcquireAsync(_httpUrl);

    [Benchmark]
    public Task<int> ChunkedViaProxy() => _rig!.AcquireAsync(_rig.Reference);

    [Benchmark]
    public Task<int> ChunkedViaProxyCold() => _rig!.AcquireAsync(_rig.Reference);

    [GlobalCleanup]
    public void Dispose()
    {
        _rig?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _rig = null;
        GC.SuppressFinalize(this);
    }

    private void Setup(bool proxyCache)
    {
        // BenchmarkDotNet calls setups synchronously; nothing here captures a synchronization context.
        _rig = DeliveryRig.StartAsync(SizeMiB, proxyCache).GetAwaiter().GetResult();
        _httpUrl = _rig.HttpUrl.ToString();
    }
}
