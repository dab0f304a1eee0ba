using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Messaging;
using Propeller.Manager.Proplets;
using Propeller.Manager.Scheduling;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Hosting;

internal static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the manager's services, its storage, its MQTT connection and the hosted service that runs them.
    /// The REST endpoints are mapped separately (<see cref="ManagerApp"/>).
    /// </summary>
    public static IServiceCollection AddPropellerManager(this IServiceCollection services, ManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var topics = new TopicBuilder(options.Credentials.TenantId, options.Credentials.ChannelId);

        services.AddSingleton(options);
        services.AddSingleton(topics);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => StoreFactory.Create(options.Storage, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new PropellerMqttClient(
            ManagerMqttConnection.CreateOptions(options, topics), sp.GetRequiredService<ILogger<PropellerMqttClient>>()));
        services.AddSingleton<ManagerMetrics>();
        services.AddSingleton<ShutdownGate>();
        services.AddSingleton<TaskLocks>();
        services.AddSingleton<PropletLocks>();
        services.AddSingleton<RoundRobinSelector>();
        services.AddSingleton<TaskMessagePublisher>();
        services.AddSingleton<TaskService>();
        services.AddSingleton<TaskDispatcher>();
        services.AddSingleton<TaskReports>();
        services.AddSingleton<TaskInterruptions>();
        services.AddSingleton<PendingInvocations>();
        services.AddSingleton<TaskInvoker>();
        services.AddSingleton<PropletService>();
        services.AddSingleton<PropletReports>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ManagerMessageRouter>(sp, options.Credentials.EntityId));
        services.AddHostedService<ManagerHostedService>();
        return services;
    }
}
