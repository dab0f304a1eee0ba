namespace Propeller.Proplet.Configuration;

/// <summary>Names of the <c>PROPLET_*</c> environment variables this proplet reads (proplet-reference §4.1).</summary>
internal static class PropletVariables
{
    public const string Prefix = "PROPLET_";
    public const string LogLevel = "PROPLET_LOG_LEVEL";
    public const string MqttAddress = "PROPLET_MQTT_ADDRESS";
    public const string MqttQos = "PROPLET_MQTT_QOS";
    public const string MqttKeepAlive = "PROPLET_MQTT_KEEP_ALIVE";
    public const string MqttMaxInflight = "PROPLET_MQTT_MAX_INFLIGHT";
    public const string MqttMaxPacketSize = "PROPLET_MQTT_MAX_PACKET_SIZE";
    public const string MqttTlsCaCert = "PROPLET_MQTT_TLS_CA_CERT";
    public const string MqttTlsClientCert = "PROPLET_MQTT_TLS_CLIENT_CERT";
    public const string MqttTlsClientKey = "PROPLET_MQTT_TLS_CLIENT_KEY";
    public const string MqttTlsInsecureSkipVerify = "PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY";
    public const string LivelinessInterval = "PROPLET_LIVELINESS_INTERVAL";
    public const string MetricsInterval = "PROPLET_METRICS_INTERVAL";
    public const string EnableMonitoring = "PROPLET_ENABLE_MONITORING";
    public const string ConfigFile = "PROPLET_CONFIG_FILE";
    public const string ConfigSection = "PROPLET_CONFIG_SECTION";
    public const string Namespace = "PROPLET_MANAGER_K8S_NAMESPACE";
    public const string Dirs = "PROPLET_DIRS";
    public const string Description = "PROPLET_DESCRIPTION";
    public const string Tags = "PROPLET_TAGS";
    public const string Location = "PROPLET_LOCATION";
    public const string CollectSystemInfo = "PROPLET_COLLECT_SYSTEM_INFO";
    public const string TaskTimeout = "PROPLET_TASK_TIMEOUT";
    public const string MaxMemoryBytes = "PROPLET_MAX_MEMORY_BYTES";
    public const string Fuel = "PROPLET_FUEL";
    public const string MaxConcurrentTasks = "PROPLET_MAX_CONCURRENT_TASKS";
    public const string CacheDir = "PROPLET_CACHE_DIR";
    public const string ExternalWasmRuntime = "PROPLET_EXTERNAL_WASM_RUNTIME";
    public const string MetricsEnabled = "PROPLET_METRICS_ENABLED";
    public const string MetricsPort = "PROPLET_METRICS_PORT";
    public const string HttpTimeout = "PROPLET_HTTP_TIMEOUT";
    public const string HttpTlsCaCert = "PROPLET_HTTP_TLS_CA_CERT";
    public const string HttpTlsInsecureSkipVerify = "PROPLET_HTTP_TLS_INSECURE_SKIP_VERIFY";
    public const string HttpMaxBytes = "PROPLET_HTTP_MAX_BYTES";
    public const string ChunkTimeout = "PROPLET_CHUNK_TIMEOUT";
    public const string BinaryCacheBytes = "PROPLET_BINARY_CACHE_BYTES";
}
