using Microsoft.Extensions.Logging;
using Propeller.Contracts.Configuration;
using static Propeller.Contracts.Configuration.EnvironmentSettings;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Hosting;

/// <summary>
/// Everything the manager needs to run (manager-reference §8.4 plus our additions). Build it with
/// <see cref="FromEnvironment"/> or in code; <see cref="Validate"/> names the variable behind a bad value.
/// </summary>
internal sealed record ManagerOptions
{
    public const string DefaultConfigFile = "config.toml";
    public const long DefaultMaxBodyBytes = 100L * 1024 * 1024;

    public required EntityCredentials Credentials { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public string MqttAddress { get; init; } = "tcp://localhost:1883";

    public int MqttQos { get; init; } = 2;

    /// <summary>How long start-up waits for the broker and a publish waits for a connection.</summary>
    public TimeSpan MqttTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>QoS 1/2 publishes awaiting the broker's acknowledgement at once (below Mosquitto's window).</summary>
    public int MqttMaxInflight { get; init; } = 16;

    public string? MqttTlsCaCert { get; init; }

    public string? MqttTlsClientCert { get; init; }

    public string? MqttTlsClientKey { get; init; }

    public bool MqttTlsInsecureSkipVerify { get; init; }

    public string HttpHost { get; init; } = "localhost";

    /// <summary>0 picks a free port; read the bound address after start.</summary>
    public int HttpPort { get; init; } = 7070;

    public string? HttpServerCert { get; init; }

    public string? HttpServerKey { get; init; }

    public TimeSpan HttpReadHeaderTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan HttpIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public long HttpMaxHeaderBytes { get; init; } = 1024 * 1024;

    public long HttpMaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>A REST key separate from the MQTT key; when null the manager's own API key is accepted.</summary>
    public string? HttpApiKey { get; init; }

    /// <summary>Serve the REST API without authentication (development on loopback only).</summary>
    public bool InsecureNoAuth { get; init; }

    public string StorageType { get; init; } = "sqlite";

    public string DataDir { get; init; } = "./data";

    /// <summary>When null the database is <c>manager.db</c> in <see cref="DataDir"/>.</summary>
    public string? SqlitePath { get; init; }

    /// <summary>The PostgreSQL server and database when <see cref="StorageType"/> is <c>postgres</c>.</summary>
    public string PostgresHost { get; init; } = "localhost";

    public int PostgresPort { get; init; } = 5432;

    public string PostgresUser { get; init; } = "propeller";

    public string PostgresPassword { get; init; } = "propeller";

    public string PostgresDatabase { get; init; } = "propeller";

    public string PostgresSslMode { get; init; } = "disable";

    /// <summary>How long <c>POST /tasks/{id}/invoke</c> waits for a proplet's answer (DECISIONS §4 Manager 8).</summary>
    public TimeSpan InvokeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the cron scheduler looks for due tasks (manager-reference §6: 60 s).</summary>
    public TimeSpan CronTickInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A running task's proplet counts as gone when its last heartbeat is older than this (a Last Will counts at once).
    /// </summary>
    public TimeSpan PropletLostTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often running tasks are checked for a lost proplet (not an environment setting).</summary>
    public TimeSpan PropletLossCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Directory of <c>*.wasm</c> plugins (manager-reference §9); null runs without plugins.</summary>
    public string? PluginDir { get; init; }

    /// <summary>How long one plugin hook call may run before it is interrupted.</summary>
    public TimeSpan PluginTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Execution mode of a job whose record has none (<c>parallel</c>, <c>sequential</c> or <c>configurable</c>);
    /// null means such a job cannot be started.
    /// </summary>
    public string? JobExecutionMode { get; init; }

    /// <summary>The Bearer token the REST API accepts.</summary>
    public string RestApiKey => HttpApiKey ?? Credentials.ApiKey;

    public StorageOptions Storage => new()
    {
        Type = StorageType,
        SqlitePath = SqlitePath ?? Path.Combine(DataDir, "manager.db"),
        PostgresHost = PostgresHost,
        PostgresPort = PostgresPort,
        PostgresUser = PostgresUser,
        PostgresPassword = PostgresPassword,
        PostgresDatabase = PostgresDatabase,
        PostgresSslMode = PostgresSslMode,
    };

    /// <summary>
    /// Reads <c>MANAGER_*</c> variables through <paramref name="environment"/>. Identity values missing from the
    /// environment come from the <c>[manager]</c> table of <paramref name="configFile"/>.
    /// </summary>
    public static ManagerOptions FromEnvironment(Func<string, string?> environment, string configFile = DefaultConfigFile)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => string.IsNullOrWhiteSpace(environment(name)) ? null : environment(name)!.Trim();

        var defaults = new ManagerOptions { Credentials = new EntityCredentials("-", "-", "-", "-") };
        var options = new ManagerOptions
        {
            Credentials = EntityCredentials.Resolve(ManagerEnvironment.Prefix, environment, configFile, ManagerEnvironment.ConfigSection),
            LogLevel = Get(ManagerEnvironment.LogLevel) is { } level ? ParseLogLevel(ManagerEnvironment.LogLevel, level) : defaults.LogLevel,
            MqttAddress = Get(ManagerEnvironment.MqttAddress) ?? defaults.MqttAddress,
            MqttQos = Get(ManagerEnvironment.MqttQos) is { } qos ? ParseInt(ManagerEnvironment.MqttQos, qos) : defaults.MqttQos,
            MqttTimeout = Get(ManagerEnvironment.MqttTimeout) is { } timeout ? ParseDuration(ManagerEnvironment.MqttTimeout, timeout) : defaults.MqttTimeout,
            MqttMaxInflight = Get(ManagerEnvironment.MqttMaxInflight) is { } inflight ? ParseInt(ManagerEnvironment.MqttMaxInflight, inflight) : defaults.MqttMaxInflight,
            MqttTlsCaCert = Get(ManagerEnvironment.MqttTlsCaCert),
            MqttTlsClientCert = Get(ManagerEnvironment.MqttTlsClientCert),
            MqttTlsClientKey = Get(ManagerEnvironment.MqttTlsClientKey),
            MqttTlsInsecureSkipVerify = Get(ManagerEnvironment.MqttTlsInsecureSkipVerify) is { } skip && ParseBool(ManagerEnvironment.MqttTlsInsecureSkipVerify, skip),
            HttpHost = Get(ManagerEnvironment.HttpHost) ?? defaults.HttpHost,
            HttpPort = Get(ManagerEnvironment.HttpPort) is { } port ? ParseInt(ManagerEnvironment.HttpPort, port) : defaults.HttpPort,
            HttpServerCert = Get(ManagerEnvironment.HttpServerCert),
            HttpServerKey = Get(ManagerEnvironment.HttpServerKey),
            HttpReadHeaderTimeout = Get(ManagerEnvironment.HttpReadHeaderTimeout) is { } header ? ParseDuration(ManagerEnvironment.HttpReadHeaderTimeout, header) : defaults.HttpReadHeaderTimeout,
            HttpIdleTimeout = Get(ManagerEnvironment.HttpIdleTimeout) is { } idle ? ParseDuration(ManagerEnvironment.HttpIdleTimeout, idle) : defaults.HttpIdleTimeout,
            HttpMaxHeaderBytes = Get(ManagerEnvironment.HttpMaxHeaderBytes) is { } maxHeader ? ParseLong(ManagerEnvironment.HttpMaxHeaderBytes, maxHeader) : defaults.HttpMaxHeaderBytes,
            HttpMaxBodyBytes = Get(ManagerEnvironment.HttpMaxBodyBytes) is { } maxBody ? ParseLong(ManagerEnvironment.HttpMaxBodyBytes, maxBody) : defaults.HttpMaxBodyBytes,
            HttpApiKey = Get(ManagerEnvironment.HttpApiKey),
            InsecureNoAuth = Get(ManagerEnvironment.InsecureNoAuth) is { } noAuth && ParseBool(ManagerEnvironment.InsecureNoAuth, noAuth),
            StorageType = Get(ManagerEnvironment.StorageType)?.ToLowerInvariant() ?? defaults.StorageType,
            DataDir = Get(ManagerEnvironment.DataDir) ?? defaults.DataDir,
            SqlitePath = Get(ManagerEnvironment.SqlitePath),
            PostgresHost = Get(ManagerEnvironment.PostgresHost) ?? defaults.PostgresHost,
            PostgresPort = Get(ManagerEnvironment.PostgresPort) is { } pgPort ? ParseInt(ManagerEnvironment.PostgresPort, pgPort) : defaults.PostgresPort,
            PostgresUser = Get(ManagerEnvironment.PostgresUser) ?? defaults.PostgresUser,
            // A password may have meaningful spaces: read as given, only an unset variable takes the default.
            PostgresPassword = environment(ManagerEnvironment.PostgresPassword) ?? defaults.PostgresPassword,
            PostgresDatabase = Get(ManagerEnvironment.PostgresDatabase) ?? defaults.PostgresDatabase,
            PostgresSslMode = Get(ManagerEnvironment.PostgresSslMode)?.ToLowerInvariant() ?? defaults.PostgresSslMode,
            InvokeTimeout = Get(ManagerEnvironment.InvokeTimeout) is { } invoke ? ParseDuration(ManagerEnvironment.InvokeTimeout, invoke) : defaults.InvokeTimeout,
            CronTickInterval = Get(ManagerEnvironment.CronTickInterval) is { } tick ? ParseDuration(ManagerEnvironment.CronTickInterval, tick) : defaults.CronTickInterval,
            PropletLostTimeout = Get(ManagerEnvironment.PropletLostTimeout) is { } lost ? ParseDuration(ManagerEnvironment.PropletLostTimeout, lost) : defaults.PropletLostTimeout,
            PluginDir = Get(ManagerEnvironment.PluginDir),
            PluginTimeout = Get(ManagerEnvironment.PluginTimeout) is { } pluginTimeout ? ParseDuration(ManagerEnvironment.PluginTimeout, pluginTimeout) : defaults.PluginTimeout,
            JobExecutionMode = Get(ManagerEnvironment.JobExecutionMode),
        };
        options.Validate();
        return options;
    }

    /// <summary>Throws <see cref="ConfigurationException"/> naming the variable of the first bad value.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Credentials);
        Require(!string.IsNullOrWhiteSpace(Credentials.TenantId), "MANAGER_TENANT_ID", "must not be empty");
        Require(!string.IsNullOrWhiteSpace(Credentials.ChannelId), "MANAGER_CHANNEL_ID", "must not be empty");
        Require(!string.IsNullOrWhiteSpace(Credentials.EntityId), "MANAGER_ENTITY_ID", "must not be empty");
        Require(!string.IsNullOrWhiteSpace(Credentials.ApiKey), "MANAGER_API_KEY", "must not be empty");
        try
        {
            Contracts.Mqtt.MqttAddress.Parse(MqttAddress);
        }
        catch (FormatException ex)
        {
            throw new ConfigurationException($"{ManagerEnvironment.MqttAddress}: {ex.Message}", ex);
        }

        Require(MqttQos is >= 0 and <= 2, ManagerEnvironment.MqttQos, $"'{MqttQos}' is not 0, 1 or 2");
        Require(MqttTimeout > TimeSpan.Zero, ManagerEnvironment.MqttTimeout, "must be positive");
        Require(MqttMaxInflight is >= 1 and <= 65535, ManagerEnvironment.MqttMaxInflight, $"'{MqttMaxInflight}' is not between 1 and 65535");
        Require((MqttTlsClientCert is null) == (MqttTlsClientKey is null), ManagerEnvironment.MqttTlsClientCert,
            $"the client certificate and {ManagerEnvironment.MqttTlsClientKey} must be given together");
        RequireFile(MqttTlsCaCert, ManagerEnvironment.MqttTlsCaCert);
        RequireFile(MqttTlsClientCert, ManagerEnvironment.MqttTlsClientCert);
        RequireFile(MqttTlsClientKey, ManagerEnvironment.MqttTlsClientKey);
        Require(!string.IsNullOrWhiteSpace(HttpHost), ManagerEnvironment.HttpHost, "must not be empty");
        Require(HttpPort is >= 0 and <= 65535, ManagerEnvironment.HttpPort, $"'{HttpPort}' is not a port number (0-65535)");
        Require((HttpServerCert is null) == (HttpServerKey is null), ManagerEnvironment.HttpServerCert,
            $"the server certificate and {ManagerEnvironment.HttpServerKey} must be given together");
        RequireFile(HttpServerCert, ManagerEnvironment.HttpServerCert);
        RequireFile(HttpServerKey, ManagerEnvironment.HttpServerKey);
        Require(HttpReadHeaderTimeout > TimeSpan.Zero, ManagerEnvironment.HttpReadHeaderTimeout, "must be positive");
        Require(HttpIdleTimeout > TimeSpan.Zero, ManagerEnvironment.HttpIdleTimeout, "must be positive");
        Require(HttpMaxHeaderBytes >= 1024, ManagerEnvironment.HttpMaxHeaderBytes, "must be at least 1024");
        Require(HttpMaxBodyBytes >= 1024, ManagerEnvironment.HttpMaxBodyBytes, "must be at least 1024");
        Require(HttpApiKey is null || HttpApiKey.Length > 0, ManagerEnvironment.HttpApiKey, "must not be empty");
        Require(!string.IsNullOrWhiteSpace(DataDir), ManagerEnvironment.DataDir, "must not be empty");
        Require(InvokeTimeout > TimeSpan.Zero, ManagerEnvironment.InvokeTimeout, "must be positive");
        Require(CronTickInterval >= TimeSpan.FromMilliseconds(10), ManagerEnvironment.CronTickInterval, "must be at least 10ms");
        Require(PropletLostTimeout >= Proplets.Proplet.LivenessWindow, ManagerEnvironment.PropletLostTimeout,
            $"must be at least the liveness window ({Proplets.Proplet.LivenessWindow.TotalSeconds:0} s)");
        Require(PropletLossCheckInterval > TimeSpan.Zero, nameof(PropletLossCheckInterval), "must be positive");
        Require(PluginTimeout > TimeSpan.Zero, ManagerEnvironment.PluginTimeout, "must be positive");
        Require(PluginDir is null || !File.Exists(PluginDir), ManagerEnvironment.PluginDir, $"'{PluginDir}' is a file, not a directory");
        Require(JobExecutionMode is null || Jobs.ExecutionModes.TryParse(JobExecutionMode, out _), ManagerEnvironment.JobExecutionMode,
            $"'{JobExecutionMode}' is not one of {Jobs.ExecutionModes.Allowed}");
        if (StorageOptionsValidator.Check(Storage) is { } storageError)
        {
            throw new ConfigurationException(storageError);
        }
    }
}
