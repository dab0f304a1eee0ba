namespace Propeller.Contracts.Topics;

/// <summary>The topic paths below <c>m/{tenant}/c/{channel}/</c> (proplet-reference §1.2).</summary>
public static class TopicSuffixes
{
    public const string PropletCreate = "control/proplet/create";
    public const string PropletAlive = "control/proplet/alive";
    public const string PropletMetrics = "control/proplet/metrics";
    public const string PropletTaskMetrics = "control/proplet/task_metrics";
    public const string PropletResults = "control/proplet/results";
    public const string PropletInvokeResults = "control/proplet/invoke_results";
    public const string ManagerStart = "control/manager/start";
    public const string ManagerStop = "control/manager/stop";
    public const string ManagerInvoke = "control/manager/invoke";

    /// <summary>Ours, additive: a manager asks every proplet to announce itself again (original proplets ignore it).</summary>
    public const string ManagerDiscover = "control/manager/discover";
    public const string RegistryProplet = "registry/proplet";
    public const string RegistryServer = "registry/server";

    /// <summary>Ours, additive: the proxy's failure or "unchanged" answer to a fetch request (original proplets ignore it).</summary>
    public const string RegistryStatus = "registry/status";
    public const string FlRoundsStart = "fl/rounds/start";
}
