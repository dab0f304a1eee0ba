using BenchmarkDotNet.Attributes;
using Propeller.Broker.Credentials;

namespace Propeller.Benchmarks.Broker;

/// <summary>
/// The broker's cost of one CONNECT's key check: the PBKDF2 derivation every first login pays, against a login of
/// a key that already passed it (a proplet reconnecting after a network blip).
/// </summary>
[MemoryDiagnoser]
public class LoginBenchmarks
{
    private CredentialStore? _store;
    private KeyHash? _hash;
    private string _entityId = string.Empty;
    private string _apiKey = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _store = CredentialStore.InMemory();
        var issued = _store.CreateEntity(_store.EnsureTenant("bench").Id, "proplet", EntityRole.Proplet);
        _entityId = issued.Entity.Id;
        _apiKey = issued.ApiKey;
        _hash = ApiKeys.Hash(_apiKey);
        _ = _store.Authenticate(_entityId, _apiKey) ?? throw new InvalidOperationException("the issued key did not authenticate");
    }

    [Benchmark(Baseline = true)]
    public bool KeyDerivation() => ApiKeys.Verify(_apiKey, _hash);

    [Benchmark]
    public bool RememberedKey() => _store!.Authenticate(_entityId, _apiKey) is not null;
}
