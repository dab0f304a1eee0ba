namespace Propeller.Manager.Diagnostics;

/// <summary>
/// Every log event id of the manager (range 2000-2799; storage owns 2800-2899), so operators can alert on ids.
/// </summary>
internal static class EventIds
{
    // Lifecycle 2000-2049.
    public const int ManagerStarting = 2000;
    public const int Subscribed = 2001;
    public const int InterruptedTasksRecovered = 2002;
    public const int ManagerStopped = 2003;
    public const int ShutdownFailed = 2004;
    public const int AuthenticationDisabled = 2005;
    public const int DiscoverRequestFailed = 2006;

    // Shutdown and recovery of tasks 2050-2099.
    public const int ShutdownStarted = 2050;
    public const int TaskInterrupted = 2051;
    public const int ShutdownCompleted = 2052;
    public const int ShutdownStopFailed = 2053;
    public const int InterruptedTaskRecovered = 2054;
    public const int RecoveryFailed = 2055;

    // Tasks 2100-2199.
    public const int TaskCreated = 2100;
    public const int TaskUpdated = 2101;
    public const int TaskFileUploaded = 2102;
    public const int TaskDeleted = 2103;
    public const int TaskStarted = 2110;
    public const int TaskStartFailed = 2111;
    public const int TaskStopped = 2112;
    public const int StartRollbackFailed = 2113;
    public const int ResultRecorded = 2120;
    public const int ReplayedResultIgnored = 2121;

    // Proplets 2200-2299.
    public const int PropletDiscovered = 2200;
    public const int PropletMetadataRefreshed = 2201;
    public const int PropletCreatedFromHeartbeat = 2202;
    public const int PropletOffline = 2203;
    public const int OfflineForUnknownProplet = 2204;
    public const int PropletDeleted = 2205;
    public const int PropletCreatedFromMetrics = 2206;

    // Incoming MQTT messages 2300-2399.
    public const int MalformedMessage = 2300;
    public const int MessageMissingField = 2301;
    public const int ResultForUnknownTask = 2302;
    public const int MetricsForUnknownTask = 2303;
    public const int MetricsForUnknownProplet = 2304;
    public const int OwnMessageIgnored = 2305;
    public const int MessageHandlingFailed = 2306;

    // REST API 2400-2499.
    public const int UnhandledException = 2400;
    public const int AuthenticationFailed = 2401;

    // Latent-task invocations 2500-2599.
    public const int InvokeSent = 2500;
    public const int InvokeAnswered = 2501;
    public const int InvokeFailed = 2502;
    public const int InvokeTimedOut = 2503;
    public const int InvokeNotPrecompiled = 2504;
    public const int LatentRedeploySent = 2505;
    public const int LatentRedeployFailed = 2506;
    public const int InvokeResultWithoutInvocationId = 2510;
    public const int InvokeResultForUnknownInvocation = 2511;

    // Cron, placement and lost proplets 2650-2699.
    public const int CronTick = 2650;
    public const int CronMissedRunSkipped = 2651;
    public const int CronTaskFired = 2652;
    public const int CronStartFailed = 2653;
    public const int CronTickFailed = 2654;
    public const int PropletLost = 2660;
    public const int TaskFailedByPropletLoss = 2661;
    public const int TaskRetryScheduled = 2662;
    public const int TaskReplaced = 2663;
    public const int TaskReplacementSkipped = 2664;
    public const int TaskReplacementFailed = 2665;
    public const int LostPropletStopFailed = 2666;
    public const int PropletLossCheckFailed = 2667;

    // Workflows and jobs 2600-2649.
    public const int WorkflowCreated = 2600;
    public const int WorkflowStarted = 2601;
    public const int WorkflowTaskStarted = 2602;
    public const int WorkflowTaskSkipped = 2603;
    public const int WorkflowTaskStartFailed = 2604;
    public const int WorkflowUnknownRunIf = 2605;
    public const int JobCreated = 2620;
    public const int JobStarted = 2621;
    public const int JobStartFailed = 2622;
    public const int JobStopped = 2623;
    public const int JobTaskFailedStoppingJob = 2624;
    public const int JobDependentStarted = 2625;
    public const int JobNextRootStarted = 2626;
    public const int JobTaskStartFailed = 2627;
    public const int JobTaskStopFailed = 2628;
    public const int OrchestrationSignalFailed = 2640;

    // Plugins 2700-2799.
    public const int PluginsLoaded = 2700;
    public const int PluginDirMissing = 2701;
    public const int PluginLoaded = 2702;
    public const int PluginLoadFailed = 2703;
    public const int PluginWithoutAuthorize = 2704;
    public const int PluginStdout = 2705;
    public const int PluginStderr = 2706;
    public const int PluginDenied = 2710;
    public const int PluginCallFailed = 2711;
    public const int PluginEnrichFailed = 2712;
    public const int PluginNotificationFailed = 2713;
    public const int PluginEnriched = 2714;
    public const int PluginPriorityIgnored = 2715;
    public const int PluginReinstantiated = 2716;
}
