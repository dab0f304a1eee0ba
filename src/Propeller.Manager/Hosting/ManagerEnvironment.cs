namespace Propeller.Manager.Hosting;

/// <summary>The environment variables the manager reads; names are the original's where it had one.</summary>
internal static class ManagerEnvironment
{
    public const string Prefix = "MANAGER_";
    public const string ConfigSection = "manager";

    public const string LogLevel = "MANAGER_LOG_LEVEL";
    public const string MqttAddress = "MANAGER_MQTT_ADDRESS";
    public const string MqttQos = "MANAGER_MQTT_QOS";
    public const string MqttTimeout = "MANAGER_MQTT_TIMEOUT";
    public const string MqttMaxInflight = "MANAGER_MQTT_MAX_INFLIGHT";
    public const string MqttTlsCaCert = "MANAGER_MQTT_TLS_CA_CERT";
    public const string MqttTlsClientCert = "MANAGER_MQTT_TLS_CLIENT_CERT";
    public const string MqttTlsClientKey = "MANAGER_MQTT_TLS_CLIENT_KEY";
    public const string MqttTlsInsecureSkipVerify = "MANAGER_MQTT_TLS_INSECURE_SKIP_VERIFY";
    public const string HttpHost = "MANAGER_HTTP_HOST";
    public const string HttpPort = "MANAGER_HTTP_PORT";
    public const string HttpServerCert = "MANAGER_HTTP_SERVER_CERT";
    public const string HttpServerKey = "MANAGER_HTTP_SERVER_KEY";
    public const string HttpReadHeaderTimeout = "MANAGER_HTTP_SERVER_READ_HEADER_TIMEOUT";
    public const string HttpIdleTimeout = "MANAGER_HTTP_SERVER_IDLE_TIMEOUT";
    public const string HttpMaxHeaderBytes = "MANAGER_HTTP_SERVER_MAX_HEADER_BYTES";
    public const string HttpMaxBodyBytes = "MANAGER_HTTP_MAX_BODY_BYTES";
    public const string HttpApiKey = "MANAGER_HTTP_API_KEY";
    public const string InsecureNoAuth = "MANAGER_INSECURE_NO_AUTH";
    public const string StorageType = "MANAGER_STORAGE_TYPE";
    public const string DataDir = "MANAGER_DATA_DIR";
    public const string SqlitePath = "MANAGER_SQLITE_PATH";
    public const string PostgresHost = "MANAGER_POSTGRES_HOST";
    public const string PostgresPort = "MANAGER_POSTGRES_PORT";
    public const string PostgresUser = "MANAGER_POSTGRES_USER";
    public const string PostgresPassword = "MANAGER_POSTGRES_PASS";
    public const string PostgresDatabase = "MANAGER_POSTGRES_DB";
    public const string PostgresSslMode = "MANAGER_POSTGRES_SSLMODE";
    public const string InvokeTimeout = "MANAGER_INVOKE_TIMEOUT";
    public const string CronTickInterval = "MANAGER_CRON_TICK_INTERVAL";
    public const string PropletLostTimeout = "MANAGER_PROPLET_LOST_TIMEOUT";
    public const string PluginDir = "MANAGER_PLUGIN_DIR";
    public const string PluginTimeout = "MANAGER_PLUGIN_TIMEOUT";

    /// <summary>The original's name, without the prefix: the mode of a job started without one of its own.</summary>
    public const string JobExecutionMode = "JOB_EXECUTION_MODE";
}
