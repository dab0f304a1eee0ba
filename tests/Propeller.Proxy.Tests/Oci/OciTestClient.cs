using Microsoft.Extensions.Logging;
using Propeller.Proxy.Oci;
using Propeller.Testing;
using Propeller.Testing.Registry;
using Xunit.Abstractions;

namespace Propeller.Proxy.Tests.Oci;

/// <summary>An <see cref="OciRegistryClient"/> with captured logs, and helpers shared by the registry tests.</summary>
internal sealed class OciTestClient : IDisposable
{
    private readonly ILoggerFactory _loggers;

    public OciTestClient(ITestOutputHelper output, params OciCredential[] credentials)
        : this(output, TimeProvider.System, credentials)
    {
    }

    public OciTestClient(ITestOutputHelper output, TimeProvider time, params OciCredential[] credentials)
    {
        Logs = new CapturingLoggerProvider(new TestOutputSink(output));
        _loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        var options = new OciClientOptions { Credentials = credentials, RequestTimeout = TimeSpan.FromSeconds(20) };
        Client = new OciRegistryClient(options, _loggers.CreateLogger<OciRegistryClient>(), handler: null, time);
    }

    public OciRegistryClient Client { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>The fixture's account for <paramref name="registry"/>, optionally with another password.</summary>
    public static OciCredential Account(RegistryProcess registry, string? password = null) =>
        new(registry.Host, registry.Username, password ?? registry.Password, null);

    public static OciReference Reference(RegistryProcess registry, string repositoryAndTag) => OciReference.Parse($"{registry.Host}/{repositoryAndTag}");

    /// <summary>A clock the test moves by hand.</summary>
    internal sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    public void Dispose()
    {
        Client.Dispose();
        _loggers.Dispose();
    }
}
