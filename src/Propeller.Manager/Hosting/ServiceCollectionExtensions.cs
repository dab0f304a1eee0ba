using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Messaging;
using Propeller.Manager.Plugins;
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
        services.AddSingleton<DirectControlProplets>();
        services.AddSingleton<RoundRobinSelector>();
        services.AddSingleton<PropletPlacement>();
        services.AddSingleton<PropletLossHandler>();
        services.AddSingleton<PropletLossMonitor>();
        services.AddSingleton<CronScheduler>();
        services.AddSingleton<TaskMessagePublisher>();
        services.AddHttpContextAccessor();
        services.AddSingleton<PluginUser>();
        services.AddSingleton<PluginHost>();
        services.AddSingleton<IPluginPolicy>(sp => sp.GetRequiredService<PluginHost>());
        services.AddSingleton<TaskService>();
        services.AddSingleton<TaskDispatcher>();
        services.AddSingleton<TaskReports>();
        services.AddSingleton<Workflows.TaskSignals>();
        services.AddSingleton<Workflows.WorkflowCoordinator>();
        services.AddSingleton<Workflows.WorkflowService>();
        services.AddSingleton<Jobs.JobRunner>();
        services.AddSingleton<Jobs.JobService>();
        services.AddSingleton<TaskInterruptions>();
        services.AddSingleton<PendingInvocations>();
        services.AddSingleton<TaskInvoker>();
        services.AddSingleton<PropletService>();
        services.AddSingleton<PropletReports>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ManagerMessageRouter>(sp, options.Credentials.EntityId));
        services.AddHostedService<ManagerHostedService>();

        // After the manager service: they need the store it opens, and they stop before its shutdown runs.
        services.AddHostedService(sp => sp.GetRequiredService<CronScheduler>());
        services.AddHostedService(sp => sp.GetRequiredService<PropletLossMonitor>());
        services.AddHostedService<Workflows.OrchestrationWorker>();
        return services;
    }
}
