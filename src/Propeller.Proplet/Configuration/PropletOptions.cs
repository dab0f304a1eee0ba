using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using Propeller.Contracts.Configuration;
using Propeller.Contracts.Mqtt;
using Propeller.Proplet.Delivery;
using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Configuration;

/// <summary>
/// Everything one proplet needs to run. Built from <c>PROPLET_*</c> variables by <see cref="FromEnvironment"/>, or
/// in code by a host such as <c>propeller dev</c>; <see cref="Validate"/> names the variable behind a bad value.
/// </summary>
internal sealed record PropletOptions
{
    public const string DefaultMqttAddress = "tcp://localhost:1883";
    public const string DefaultNamespace = "default";
    public const string DefaultConfigFile = "config.toml";
    public const string DefaultConfigSection = "proplet";
    public const int DefaultMqttMaxPacketSize = 10 * 1024 * 1024;
    public const int MaxKeepAliveSeconds = ushort.MaxValue;
    public const int DefaultMetricsPort = 9092;

    /// <summary>Tenant, channel, entity id (the proplet id and MQTT client id) and API key.</summary>
    public required EntityCredentials Credentials { get; init; }

    public string PropletId => Credentials.EntityId;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public string MqttAddress { get; init; } = DefaultMqttAddress;

    public MqttQualityOfServiceLevel MqttQos { get; init; } = MqttQualityOfServiceLevel.ExactlyOnce;

    public TimeSpan MqttKeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>QoS 1/2 publishes awaiting the broker's acknowledgement at once (below Mosquitto's window).</summary>
    public int MqttMaxInflight { get; init; } = 16;

    /// <summary>Largest MQTT payload accepted; bigger incoming messages are dropped with a warning.</summary>
    public int MqttMaxPacketSize { get; init; } = DefaultMqttMaxPacketSize;

    /// <summary>PEM CA file; when set, only this CA is trusted.</summary>
    public string? MqttTlsCaCert { get; init; }

    public string? MqttTlsClientCert { get; init; }

    public string? MqttTlsClientKey { get; init; }

    public bool MqttTlsInsecureSkipVerify { get; init; }

    /// <summary>Heartbeat period; zero turns heartbeats off.</summary>
    public TimeSpan LivelinessInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>System-metrics period; zero turns the metrics messages off.</summary>
    public TimeSpan MetricsInterval { get; init; } = TimeSpan.FromSeconds(10);

    public bool EnableMonitoring { get; init; } = true;

    /// <summary>The namespace reported in discovery, heartbeats and metrics.</summary>
    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>Host directories preopened for every guest at the same path.</summary>
    public IReadOnlyList<string> Dirs { get; init; } = [];

    public string? Description { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public string? Location { get; init; }

    /// <summary>When false, discovery leaves out the IP, host name, OS, architecture and memory size.</summary>
    public bool CollectSystemInfo { get; init; } = true;

    /// <summary>
    /// The external Wasm runtime (a path, or a program name looked up on <c>PATH</c>) that runs tasks instead of the
    /// embedded Wasmtime; null runs them embedded.
    /// </summary>
    public string? ExternalWasmRuntime { get; init; }

    public WasmRuntimeOptions Runtime { get; init; } = new();

    /// <summary>HTTP(S) downloads, proxy chunk assembly and the binary cache.</summary>
    public DeliveryOptions Delivery { get; init; } = new();

    /// <summary>Serve <c>/metrics</c> and <c>/health</c> over HTTP.</summary>
    public bool MetricsEnabled { get; init; } = true;

    /// <summary>
    /// Port of <c>/metrics</c> and <c>/health</c> on every interface. 0 picks a free port, for hosts that run several
    /// proplets in one process; from the environment, 0 is refused like any invalid value.
    /// </summary>
    public int MetricsPort { get; init; } = DefaultMetricsPort;

    /// <summary>A <c>PROPLET_METRICS_PORT</c> value that was not a port and was replaced by the default (logged at start).</summary>
    public string? IgnoredMetricsPort { get; init; }

    /// <summary>
    /// Reads the <c>PROPLET_*</c> variables through <paramref name="environment"/> (null for unset), fills missing
    /// credentials from the TOML fallback, and validates the result.
    /// </summary>
    /// <exception cref="ConfigurationException">A required value is missing or a value is invalid.</exception>
    public static PropletOptions FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var configFile = EnvironmentValues.NonEmpty(environment(PropletVariables.ConfigFile)) ?? DefaultConfigFile;
        var configSection = EnvironmentValues.NonEmpty(environment(PropletVariables.ConfigSection)) ?? DefaultConfigSection;
        var defaults = new PropletOptions { Credentials = EntityCredentials.Resolve(PropletVariables.Prefix, environment, configFile, configSection) };

        TimeSpan Seconds(string name, TimeSpan fallback) =>
            TimeSpan.FromSeconds(EnvironmentValues.WholeNumber(environment(name), (long)fallback.TotalSeconds));

        var monitoring = environment(PropletVariables.EnableMonitoring);
        var runtime = new WasmRuntimeOptions
        {
            TaskTimeout = Seconds(PropletVariables.TaskTimeout, TimeSpan.Zero),
            MaxMemoryBytes = EnvironmentValues.WholeNumber(
                environment(PropletVariables.MaxMemoryBytes), WasmRuntimeOptions.DefaultMaxMemoryBytes),
            Fuel = (ulong)EnvironmentValues.WholeNumber(environment(PropletVariables.Fuel), 0),
            MaxConcurrentGuests = (int)Math.Clamp(
                EnvironmentValues.WholeNumber(
                    environment(PropletVariables.MaxConcurrentTasks), WasmRuntimeOptions.DefaultMaxConcurrentGuests),
                0,
                int.MaxValue),
            CacheDirectory = EnvironmentValues.NonEmpty(environment(PropletVariables.CacheDir))
                ?? Path.Combine(Path.GetTempPath(), "propeller-proplet-cache", SafeDirectoryName(defaults.PropletId)),
        };
        var delivery = new DeliveryOptions
        {
            HttpTimeout = Seconds(PropletVariables.HttpTimeout, defaults.Delivery.HttpTimeout),
            HttpTlsCaCert = EnvironmentValues.NonEmpty(environment(PropletVariables.HttpTlsCaCert)),
            HttpTlsInsecureSkipVerify = EnvironmentValues.IsTruthy(environment(PropletVariables.HttpTlsInsecureSkipVerify)),
            MaxBinaryBytes = EnvironmentValues.WholeNumber(environment(PropletVariables.HttpMaxBytes), DeliveryOptions.DefaultMaxBinaryBytes),
            ChunkTimeout = Seconds(PropletVariables.ChunkTimeout, defaults.Delivery.ChunkTimeout),
            BinaryCacheBytes = EnvironmentValues.WholeNumber(
                environment(PropletVariables.BinaryCacheBytes), DeliveryOptions.DefaultBinaryCacheBytes),
            BinaryCacheDirectory = Path.Combine(runtime.CacheDirectory, "binaries"),
        };
        var metricsEnabled = environment(PropletVariables.MetricsEnabled);
        var metricsPort = EnvironmentValues.NonEmpty(environment(PropletVariables.MetricsPort));
        var parsedMetricsPort = EnvironmentValues.WholeNumber(metricsPort, -1);
        int? validMetricsPort = parsedMetricsPort is >= 1 and <= ushort.MaxValue ? (int)parsedMetricsPort : null;
        var options = defaults with
        {
            LogLevel = ParseLogLevel(environment(PropletVariables.LogLevel)),
            MqttAddress = EnvironmentValues.NonEmpty(environment(PropletVariables.MqttAddress)) ?? DefaultMqttAddress,
            MqttQos = MqttConnectionOptions.ParseQos((int)Math.Min(EnvironmentValues.WholeNumber(environment(PropletVariables.MqttQos), 2), int.MaxValue)),
            MqttKeepAlive = Seconds(PropletVariables.MqttKeepAlive, defaults.MqttKeepAlive),
            MqttMaxInflight = (int)Math.Min(EnvironmentValues.WholeNumber(environment(PropletVariables.MqttMaxInflight), defaults.MqttMaxInflight), int.MaxValue),
            MqttMaxPacketSize = (int)Math.Min(
                EnvironmentValues.WholeNumber(environment(PropletVariables.MqttMaxPacketSize), DefaultMqttMaxPacketSize), int.MaxValue),
            MqttTlsCaCert = EnvironmentValues.NonEmpty(environment(PropletVariables.MqttTlsCaCert)),
            MqttTlsClientCert = EnvironmentValues.NonEmpty(environment(PropletVariables.MqttTlsClientCert)),
            MqttTlsClientKey = EnvironmentValues.NonEmpty(environment(PropletVariables.MqttTlsClientKey)),
            MqttTlsInsecureSkipVerify = EnvironmentValues.IsTruthy(environment(PropletVariables.MqttTlsInsecureSkipVerify)),
            LivelinessInterval = Seconds(PropletVariables.LivelinessInterval, defaults.LivelinessInterval),
            MetricsInterval = Seconds(PropletVariables.MetricsInterval, defaults.MetricsInterval),
            EnableMonitoring = monitoring is null || EnvironmentValues.IsTruthy(monitoring),
            Namespace = EnvironmentValues.NonEmpty(environment(PropletVariables.Namespace)) ?? DefaultNamespace,
            Dirs = EnvironmentValues.List(environment(PropletVariables.Dirs), ':'),
            Description = EnvironmentValues.NonEmpty(environment(PropletVariables.Description)),
            Tags = EnvironmentValues.List(environment(PropletVariables.Tags), ','),
            Location = EnvironmentValues.NonEmpty(environment(PropletVariables.Location)),
            CollectSystemInfo = !EnvironmentValues.IsFalsy(environment(PropletVariables.CollectSystemInfo)),
            Runtime = runtime,
            Delivery = delivery,
            ExternalWasmRuntime = EnvironmentValues.NonEmpty(environment(PropletVariables.ExternalWasmRuntime)),
            MetricsEnabled = metricsEnabled is null || EnvironmentValues.IsTruthy(metricsEnabled),
            MetricsPort = validMetricsPort ?? DefaultMetricsPort,
            IgnoredMetricsPort = metricsPort is not null && validMetricsPort is null ? metricsPort : null,
        };
        options.Validate();
        return options;
    }

    /// <summary>Reads the process environment.</summary>
    public static PropletOptions FromProcessEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Reads a fixed set of variables, as tests and in-process hosts supply them.</summary>
    public static PropletOptions FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return FromEnvironment(name => environment.TryGetValue(name, out var value) ? value : null);
    }

    /// <summary>Throws a <see cref="ConfigurationException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Credentials);
        Require(!string.IsNullOrWhiteSpace(Credentials.TenantId), "tenant_id/PROPLET_TENANT_ID must not be empty");
        Require(!string.IsNullOrWhiteSpace(Credentials.ChannelId), "channel_id/PROPLET_CHANNEL_ID must not be empty");
        Require(!string.IsNullOrWhiteSpace(Credentials.EntityId), "entity_id/PROPLET_ENTITY_ID must not be empty");
        Require(!string.IsNullOrWhiteSpace(Credentials.ApiKey), "api_key/PROPLET_API_KEY must not be empty");

        try
        {
            Contracts.Mqtt.MqttAddress.Parse(MqttAddress);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ConfigurationException($"{PropletVariables.MqttAddress}: {e.Message}", e);
        }

        Require(
            MqttKeepAlive >= TimeSpan.Zero && MqttKeepAlive.TotalSeconds <= MaxKeepAliveSeconds,
            $"{PropletVariables.MqttKeepAlive} must be between 0 and {MaxKeepAliveSeconds} seconds, got {MqttKeepAlive.TotalSeconds}");
        Require(MqttMaxPacketSize > 0, $"{PropletVariables.MqttMaxPacketSize} must be positive, got {MqttMaxPacketSize}");
        Require(MqttMaxInflight is >= 1 and <= 65535, $"{PropletVariables.MqttMaxInflight} must be between 1 and 65535, got {MqttMaxInflight}");
        Require(LivelinessInterval >= TimeSpan.Zero, $"{PropletVariables.LivelinessInterval} must not be negative");
        Require(MetricsInterval >= TimeSpan.Zero, $"{PropletVariables.MetricsInterval} must not be negative");
        Require(!string.IsNullOrWhiteSpace(Namespace), $"{PropletVariables.Namespace} must not be empty");
        Require(
            MetricsPort is >= 0 and <= ushort.MaxValue,
            $"{PropletVariables.MetricsPort} must be between 0 and {ushort.MaxValue}, got {MetricsPort}");
        Require(
            (MqttTlsClientCert is null) == (MqttTlsClientKey is null),
            $"{PropletVariables.MqttTlsClientCert} and {PropletVariables.MqttTlsClientKey} must be set together");
        RequireFile(MqttTlsCaCert, PropletVariables.MqttTlsCaCert);
        RequireFile(MqttTlsClientCert, PropletVariables.MqttTlsClientCert);
        RequireFile(MqttTlsClientKey, PropletVariables.MqttTlsClientKey);
        foreach (var dir in Dirs)
        {
            Require(Directory.Exists(dir), $"{PropletVariables.Dirs}: directory '{dir}' does not exist");
        }

        Require(Delivery.HttpTimeout > TimeSpan.Zero, $"{PropletVariables.HttpTimeout} must be positive, got {Delivery.HttpTimeout.TotalSeconds}");
        Require(Delivery.MaxBinaryBytes > 0, $"{PropletVariables.HttpMaxBytes} must be positive, got {Delivery.MaxBinaryBytes}");
        Require(Delivery.ChunkTimeout > TimeSpan.Zero, $"{PropletVariables.ChunkTimeout} must be positive, got {Delivery.ChunkTimeout.TotalSeconds}");
        Require(Delivery.BinaryCacheBytes >= 0, $"{PropletVariables.BinaryCacheBytes} must not be negative, got {Delivery.BinaryCacheBytes}");
        Require(
            Delivery.AssemblyMaxAge > TimeSpan.Zero && Delivery.AssemblySweepInterval > TimeSpan.Zero,
            $"{nameof(DeliveryOptions)}: the assembly age and sweep interval must be positive");
        Require(Delivery.IndexEntries >= 0, $"{nameof(DeliveryOptions)}.{nameof(DeliveryOptions.IndexEntries)} must not be negative");
        RequireFile(Delivery.HttpTlsCaCert, PropletVariables.HttpTlsCaCert);
        if (Delivery.HttpTlsCaCert is { } httpCa)
        {
            try
            {
                DeliveryHttpHandler.LoadCertificates(httpCa);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new ConfigurationException($"{PropletVariables.HttpTlsCaCert}: file '{httpCa}' is not a PEM certificate: {e.Message}", e);
            }
        }

        Require(Runtime.MaxMemoryBytes > 0, $"{PropletVariables.MaxMemoryBytes} must be positive, got {Runtime.MaxMemoryBytes}");
        Require(
            Runtime.MaxConcurrentGuests > 0,
            $"{PropletVariables.MaxConcurrentTasks} must be positive, got {Runtime.MaxConcurrentGuests}");
        try
        {
            Runtime.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message, e);
        }
    }

    private static LogLevel ParseLogLevel(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "WARN" or "WARNING" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        _ => LogLevel.Information,
    };

    // The proplet id names the default cache directory; keep it one plain path segment.
    private static string SafeDirectoryName(string id)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var safe = new string(id.Select(c => invalid.Contains(c) || c == '.' ? '_' : c).ToArray());
        return safe.Length > 0 ? safe : "proplet";
    }

    private static void RequireFile(string? path, string variable) =>
        Require(path is null || File.Exists(path), $"{variable}: file '{path}' does not exist");

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ConfigurationException(message);
        }
    }
}
