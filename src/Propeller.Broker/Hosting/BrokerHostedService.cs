using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Propeller.Broker.Credentials;

namespace Propeller.Broker.Hosting;

/// <summary>Runs an <see cref="EmbeddedBroker"/> for the lifetime of a generic host.</summary>
internal sealed class BrokerHostedService(IOptions<BrokerOptions> options, ICredentialStore store, ILoggerFactory loggerFactory)
    : IHostedService, IAsyncDisposable
{
    private EmbeddedBroker? _broker;

    /// <summary>The running broker, e.g. to read the port bound when the configured port was 0.</summary>
    public EmbeddedBroker Broker => _broker ?? throw new InvalidOperationException("The broker has not started.");

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _broker = await EmbeddedBroker.StartAsync(options.Value, store, loggerFactory, cancellationToken).ConfigureAwait(false);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var broker = Interlocked.Exchange(ref _broker, null);
        if (broker is not null)
        {
            await broker.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
