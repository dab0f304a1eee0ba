using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Propeller.Broker.Credentials;

namespace Propeller.Broker.Hosting;

internal static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the embedded MQTT broker as a hosted service. The credential store comes from
    /// <see cref="BrokerOptions.CredentialsPath"/> (in memory when unset) unless an <see cref="ICredentialStore"/>
    /// is already registered. Resolve <see cref="BrokerHostedService"/> to reach the running broker.
    /// </summary>
    public static IServiceCollection AddPropellerBroker(this IServiceCollection services, Action<BrokerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<BrokerOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidator>());
        services.TryAddSingleton<ICredentialStore>(provider =>
        {
            var path = provider.GetRequiredService<IOptions<BrokerOptions>>().Value.CredentialsPath;
            return path is null
                ? CredentialStore.InMemory()
                : CredentialStore.Open(path, logger: provider.GetRequiredService<ILoggerFactory>().CreateLogger<CredentialStore>());
        });

        if (!services.Any(d => d.ServiceType == typeof(BrokerHostedService)))
        {
            services.AddSingleton<BrokerHostedService>();
            services.AddHostedService(provider => provider.GetRequiredService<BrokerHostedService>());
        }

        return services;
    }
}
