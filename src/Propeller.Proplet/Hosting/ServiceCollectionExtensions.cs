using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Delivery;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Messaging;
using Propeller.Proplet.Monitoring;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Caching;
using Propeller.Proplet.Runtimes.Components;
using Propeller.Proplet.Runtimes.Host;
using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Hosting;

internal static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds one proplet: its MQTT connection, task pipeline, Wasmtime runtime and the hosted service that runs them.
    /// One service collection holds one proplet; run several by building several hosts.
    /// </summary>
    /// <exception cref="Contracts.Configuration.ConfigurationException"><paramref name="options"/> is invalid.</exception>
    public static IServiceCollection AddProplet(this IServiceCollection services, PropletOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var topics = new TopicBuilder(options.Credentials.TenantId, options.Credentials.ChannelId);
        services.AddSingleton(options);
        services.AddSingleton(options.Runtime);
        services.AddSingleton(topics);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PropletMetrics>();
        services.AddSingleton(provider => new PropellerMqttClient(
            PropletMqttOptions.Create(options, topics), provider.GetRequiredService<ILogger<PropellerMqttClient>>()));
        services.AddSingleton<WasmtimeEngine>();
        services.AddSingleton<CompiledModuleCache>();
        services.AddSingleton<WasmtimeCoreRuntime>();
        services.AddSingleton<WasmtimeComponentRuntime>();
        services.AddSingleton<WasmtimeRuntime>();
        services.AddSingleton<IWasmRuntime>(provider =>
            HostRuntimeSelection.Select(provider, provider.GetRequiredService<WasmtimeRuntime>));
        services.AddSingleton<RunningTaskTable>();
        services.AddSingleton(options.Delivery);
        services.AddSingleton<BinaryCache>();
        services.AddSingleton<BinarySourceIndex>();
        services.AddSingleton<HttpBinarySource>();
        services.AddSingleton<RegistryBinarySource>();
        services.AddSingleton<RegistryListener>();
        services.AddSingleton<TaskBinarySource>();
        services.AddSingleton<RecentResults>();
        services.AddSingleton<ResultPublisher>();
        services.AddSingleton<LatentTaskTable>();
        services.AddSingleton<LatentTaskInvoker>();
        services.AddSingleton<TaskSupervisor>();
        services.AddSingleton<ManagerCommandListener>();
        services.AddSingleton<SystemMetricsSampler>();
        services.AddSingleton<TaskMonitor>();
        services.AddSingleton<MetricsServer>();
        services.AddHostedService<PropletHostedService>();
        services.AddHostedService(provider => provider.GetRequiredService<MetricsServer>());
        return services;
    }
}
