using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Diagnostics;
using Propeller.Proxy.Fetching;
using Propeller.Proxy.Oci;
using Propeller.Proxy.Publishing;

namespace Propeller.Proxy.Hosting;

internal static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds one proxy: its MQTT connection, OCI client, blob cache, fetch pipeline and the hosted service that runs
    /// them. One service collection holds one proxy; run several by building several apps.
    /// </summary>
    /// <exception cref="Contracts.Configuration.ConfigurationException"><paramref name="options"/> is invalid.</exception>
    public static IServiceCollection AddPropellerProxy(this IServiceCollection services, ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var topics = new TopicBuilder(options.Credentials.TenantId, options.Credentials.ChannelId);
        services.AddSingleton(options);
        services.AddSingleton(topics);
        services.AddSingleton<ProxyMetrics>();
        services.AddSingleton(provider => new PropellerMqttClient(
            ProxyMqttOptions.Create(options, topics), provider.GetRequiredService<ILogger<PropellerMqttClient>>()));
        services.AddSingleton(provider => new OciRegistryClient(
            options.ToOciClientOptions(), provider.GetRequiredService<ILogger<OciRegistryClient>>()));
        services.AddSingleton<BlobCache>();
        services.AddSingleton<ArtifactSource>();
        services.AddSingleton<ChunkPublisher>();
        services.AddSingleton<FetchCoordinator>();
        services.AddHostedService<ProxyHostedService>();
        return services;
    }
}
