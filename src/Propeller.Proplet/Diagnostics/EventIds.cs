namespace Propeller.Proplet.Diagnostics;

/// <summary>
/// Every log event id of the proplet, so operators can alert on ids. The proplet owns 3000-3999;
/// 3500-3599 belong to the runtimes.
/// </summary>
internal static class EventIds
{
    // Hosting 3000-3099
    public const int PropletStarting = 3000;
    public const int PropletStopped = 3001;
    public const int DiscoveryPublished = 3002;
    public const int DiscoveryFailed = 3003;
    public const int HeartbeatFailed = 3004;
    public const int SystemMetricsFailed = 3005;
    public const int OfflineHeartbeatFailed = 3006;
    public const int MqttCertificateCheckDisabled = 3007;

    // Messaging 3100-3199
    public const int MalformedMessage = 3100;
    public const int OversizedMessage = 3101;
    public const int ResultPublished = 3102;
    public const int ResultPublishFailed = 3103;
    public const int ResultDropped = 3104;

    // Tasks 3200-3299
    public const int InvalidStart = 3200;
    public const int StartForOtherProplet = 3201;
    public const int DuplicateStart = 3202;
    public const int TaskStarted = 3203;
    public const int TaskCompleted = 3204;
    public const int TaskFailed = 3205;
    public const int TaskCancelled = 3206;
    public const int InvalidStop = 3207;
    public const int StopOfUnknownTask = 3208;
    public const int TaskStopped = 3209;
    public const int DaemonFinished = 3210;
    public const int DaemonFailed = 3211;
    public const int TaskRejected = 3212;
    public const int StoppingAllTasks = 3213;
    public const int TasksStillRunningAtShutdown = 3214;
    public const int TaskCrashed = 3215;
    public const int StopForOtherProplet = 3216;
    public const int DiscoverRequested = 3217;
    public const int MalformedDiscoverRequest = 3218;
    public const int DaemonStopped = 3219;
    public const int LatentTaskDeployed = 3220;
    public const int LatentTaskRemoved = 3221;
    public const int InvalidInvoke = 3222;
    public const int InvokeForOtherProplet = 3223;
    public const int InvokeOfUnknownTask = 3224;
    public const int InvocationCompleted = 3225;
    public const int InvocationFailed = 3226;
    public const int InvocationCancelled = 3227;
    public const int InvocationCrashed = 3228;

    // Binary delivery: HTTP(S), the proxy's chunks, the binary cache 3300-3399
    public const int HttpCertificateCheckDisabled = 3300;
    public const int HttpBinaryDownloaded = 3301;
    public const int HttpBinaryNotModified = 3302;
    public const int BinaryRequested = 3303;
    public const int BinaryRequestFailed = 3304;
    public const int PinnedBinaryFromCache = 3305;
    public const int ChunkRejected = 3306;
    public const int DuplicateChunk = 3307;
    public const int UnsolicitedChunk = 3308;
    public const int BinaryAssembled = 3309;
    public const int BinaryAssemblyFailed = 3310;
    public const int ProxyReportedError = 3311;
    public const int UnchangedFromCache = 3312;
    public const int UnchangedNotCached = 3313;
    public const int RegistryStatusIgnored = 3314;
    public const int StaleAssemblyRemoved = 3315;
    public const int MalformedRegistryMessage = 3316;
    public const int OversizedRegistryMessage = 3317;
    public const int BinaryCacheEntryUnusable = 3318;
    public const int BinaryCacheWriteFailed = 3319;
    public const int BinaryCacheEvicted = 3320;

    // Wasm engine, limits and compilation cache 3700-3799
    public const int WasmEngineCreated = 3700;
    public const int PoolingAllocatorUnavailable = 3701;
    public const int ModuleCompiled = 3702;
    public const int ModuleCacheHit = 3703;
    public const int ModuleCacheEntryUnusable = 3704;
    public const int ModuleCacheWriteFailed = 3705;

    // Task monitoring and the metrics endpoint 3800-3899
    public const int TaskMonitoringStarted = 3800;
    public const int TaskMonitoringStopped = 3801;
    public const int TaskMetricsPublishFailed = 3802;
    public const int TaskSamplingFailed = 3803;
    public const int TaskMonitoringCrashed = 3804;
    public const int MetricsServerListening = 3810;
    public const int MetricsServerFailed = 3811;
    public const int MetricsPortIgnored = 3812;
    public const int MetricsServerDisabled = 3813;

    // Host (external process) runtime 3900-3999
    public const int ExternalRuntimeSelected = 3900;
    public const int ExternalRuntimeNotFound = 3901;
    public const int HostProcessStarted = 3902;
    public const int HostProcessKilled = 3903;
    public const int HostProcessOutputIncomplete = 3904;
    public const int HostTempFileNotDeleted = 3905;
}
