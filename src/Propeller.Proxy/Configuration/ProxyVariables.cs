namespace Propeller.Proxy.Configuration;

/// <summary>Names of the <c>PROXY_*</c> environment variables the proxy reads (proplet-reference §4.3 plus ours).</summary>
internal static class ProxyVariables
{
    public const string Prefix = "PROXY_";
    public const string ConfigFile = "PROXY_CONFIG_FILE";
    public const string TenantId = "PROXY_TENANT_ID";
    public const string ChannelId = "PROXY_CHANNEL_ID";
    public const string EntityId = "PROXY_ENTITY_ID";
    public const string ApiKey = "PROXY_API_KEY";
    public const string LogLevel = "PROXY_LOG_LEVEL";
    public const string MqttAddress = "PROXY_MQTT_ADDRESS";
    public const string MqttQos = "PROXY_MQTT_QOS";
    public const string MqttTimeout = "PROXY_MQTT_TIMEOUT";
    public const string MqttMaxInflight = "PROXY_MQTT_MAX_INFLIGHT";
    public const string MqttTlsCaCert = "PROXY_MQTT_TLS_CA_CERT";
    public const string MqttTlsClientCert = "PROXY_MQTT_TLS_CLIENT_CERT";
    public const string MqttTlsClientKey = "PROXY_MQTT_TLS_CLIENT_KEY";
    public const string MqttTlsInsecureSkipVerify = "PROXY_MQTT_TLS_INSECURE_SKIP_VERIFY";
    public const string HttpHost = "PROXY_HTTP_HOST";
    public const string HttpPort = "PROXY_HTTP_PORT";
    public const string ChunkSize = "PROXY_CHUNK_SIZE";
    public const string Authenticate = "PROXY_AUTHENTICATE";
    public const string RegistryUsername = "PROXY_REGISTRY_USERNAME";
    public const string RegistryPassword = "PROXY_REGISTRY_PASSWORD";
    public const string RegistryToken = "PROXY_REGISTRY_TOKEN";
    public const string RegistryUrl = "PROXY_REGISTRY_URL";
    public const string InsecureRegistries = "PROXY_INSECURE_REGISTRIES";
    public const string MaxArtifactBytes = "PROXY_MAX_ARTIFACT_BYTES";
    public const string CacheBytes = "PROXY_CACHE_BYTES";
    public const string MaxConcurrentFetches = "PROXY_MAX_CONCURRENT_FETCHES";
}
