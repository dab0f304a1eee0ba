using System.Globalization;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Configuration;
using static Propeller.Contracts.Configuration.EnvironmentSettings;
using Propeller.Proxy.Oci;

namespace Propeller.Proxy.Configuration;

/// <summary>
/// Everything one proxy needs to run. Built from <c>PROXY_*</c> variables by <see cref="FromEnvironment(Func{string, string?})"/>
/// (identity falls back to the <c>[proxy]</c> table of <c>PROXY_CONFIG_FILE</c>) or in code by a host such as
/// <c>propeller dev</c>; <see cref="Validate"/> names the variable behind a bad value.
/// </summary>
internal sealed record ProxyOptions
{
    public const string DefaultConfigFile = "config.toml";
    public const string ConfigSection = "proxy";
    public const string DefaultMqttAddress = "tcp://localhost:1883";
    public const string DefaultHttpHost = "0.0.0.0";
    public const int DefaultHttpPort = 9191;
    public const int DefaultChunkSize = 512_000;
    public const int MinChunkSize = 1024;

    /// <summary>Base64 of 7 MiB is 9.33 MiB: with the JSON around it a chunk still fits a 10 MiB MQTT packet.</summary>
    public const int MaxChunkSize = 7 * 1024 * 1024;

    public const long DefaultMaxArtifactBytes = 100L * 1024 * 1024;
    public const long DefaultCacheBytes = 128L * 1024 * 1024;
    public const int DefaultMaxConcurrentFetches = 50;

    /// <summary>Tenant, channel, entity id (MQTT client id and username) and API key (MQTT password).</summary>
    public required EntityCredentials Credentials { get; init; }

    public string EntityId => Credentials.EntityId;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public string MqttAddress { get; init; } = DefaultMqttAddress;

    /// <summary>0, 1 or 2, for every publish and subscription.</summary>
    public int MqttQos { get; init; } = 2;

    /// <summary>How long a publish waits for its acknowledgement or for a lost connection to come back.</summary>
    public TimeSpan MqttTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>QoS 1/2 publishes awaiting the broker's acknowledgement at once (below Mosquitto's window).</summary>
    public int MqttMaxInflight { get; init; } = 16;

    public string? MqttTlsCaCert { get; init; }

    public string? MqttTlsClientCert { get; init; }

    public string? MqttTlsClientKey { get; init; }

    public bool MqttTlsInsecureSkipVerify { get; init; }

    public string HttpHost { get; init; } = DefaultHttpHost;

    /// <summary>Port of <c>/health</c> and <c>/metrics</c>; 0 picks a free one (tests, in-process hosts).</summary>
    public int HttpPort { get; init; } = DefaultHttpPort;

    /// <summary>Raw bytes per <c>registry/server</c> chunk.</summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>Use the registry credentials below for <see cref="RegistryUrl"/>.</summary>
    public bool Authenticate { get; init; }

    public string? RegistryUsername { get; init; }

    public string? RegistryPassword { get; init; }

    public string? RegistryToken { get; init; }

    /// <summary>The registry host (<c>host[:port]</c>, a URL is accepted) the credentials are bound to.</summary>
    public string? RegistryUrl { get; init; }

    /// <summary>Registry hosts reached over plain HTTP besides loopback ones.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>Largest artifact layer the proxy downloads.</summary>
    public long MaxArtifactBytes { get; init; } = DefaultMaxArtifactBytes;

    /// <summary>Bound of the in-memory blob cache; 0 turns the cache off.</summary>
    public long CacheBytes { get; init; } = DefaultCacheBytes;

    public int MaxConcurrentFetches { get; init; } = DefaultMaxConcurrentFetches;

    /// <summary>The registry host of <see cref="RegistryUrl"/>: scheme, path and trailing slash removed, lower case.</summary>
    public string? RegistryHost => RegistryUrl is null ? null : HostOf(RegistryUrl);

    /// <summary>
    /// Reads the <c>PROXY_*</c> variables through <paramref name="environment"/> (null for unset), fills missing
    /// identity values from <c>[proxy]</c> of <c>PROXY_CONFIG_FILE</c>, and validates the result.
    /// </summary>
    /// <exception cref="ConfigurationException">A required value is missing or a value is invalid.</exception>
    public static ProxyOptions FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => string.IsNullOrWhiteSpace(environment(name)) ? null : environment(name)!.Trim();

        var configFile = Get(ProxyVariables.ConfigFile) ?? DefaultConfigFile;
        var defaults = new ProxyOptions { Credentials = EntityCredentials.Resolve(ProxyVariables.Prefix, environment, configFile, ConfigSection) };
        var options = defaults with
        {
            LogLevel = Get(ProxyVariables.LogLevel) is { } level ? ParseLogLevel(ProxyVariables.LogLevel, level) : defaults.LogLevel,
            MqttAddress = Get(ProxyVariables.MqttAddress) ?? defaults.MqttAddress,
            MqttQos = Get(ProxyVariables.MqttQos) is { } qos ? ParseInt(ProxyVariables.MqttQos, qos) : defaults.MqttQos,
            MqttTimeout = Get(ProxyVariables.MqttTimeout) is { } timeout ? ParseDuration(ProxyVariables.MqttTimeout, timeout) : defaults.MqttTimeout,
            MqttMaxInflight = Get(ProxyVariables.MqttMaxInflight) is { } inflight ? ParseInt(ProxyVariables.MqttMaxInflight, inflight) : defaults.MqttMaxInflight,
            MqttTlsCaCert = Get(ProxyVariables.MqttTlsCaCert),
            MqttTlsClientCert = Get(ProxyVariables.MqttTlsClientCert),
            MqttTlsClientKey = Get(ProxyVariables.MqttTlsClientKey),
            MqttTlsInsecureSkipVerify = Get(ProxyVariables.MqttTlsInsecureSkipVerify) is { } skip && ParseBool(ProxyVariables.MqttTlsInsecureSkipVerify, skip),
            HttpHost = Get(ProxyVariables.HttpHost) ?? defaults.HttpHost,
            HttpPort = Get(ProxyVariables.HttpPort) is { } port ? ParseInt(ProxyVariables.HttpPort, port) : defaults.HttpPort,
            ChunkSize = Get(ProxyVariables.ChunkSize) is { } chunk ? ParseInt(ProxyVariables.ChunkSize, chunk) : defaults.ChunkSize,
            Authenticate = Get(ProxyVariables.Authenticate) is { } authenticate && ParseBool(ProxyVariables.Authenticate, authenticate),
            RegistryUsername = Get(ProxyVariables.RegistryUsername),

            // A password is taken verbatim: spaces may be part of it.
            RegistryPassword = string.IsNullOrEmpty(environment(ProxyVariables.RegistryPassword)) ? null : environment(ProxyVariables.RegistryPassword),
            RegistryToken = Get(ProxyVariables.RegistryToken),
            RegistryUrl = Get(ProxyVariables.RegistryUrl),
            InsecureRegistries = (Get(ProxyVariables.InsecureRegistries) ?? "")
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(HostOf)
                .ToArray(),
            MaxArtifactBytes = Get(ProxyVariables.MaxArtifactBytes) is { } max ? ParseLong(ProxyVariables.MaxArtifactBytes, max) : defaults.MaxArtifactBytes,
            CacheBytes = Get(ProxyVariables.CacheBytes) is { } cache ? ParseLong(ProxyVariables.CacheBytes, cache) : defaults.CacheBytes,
            MaxConcurrentFetches = Get(ProxyVariables.MaxConcurrentFetches) is { } fetches
                ? ParseInt(ProxyVariables.MaxConcurrentFetches, fetches)
                : defaults.MaxConcurrentFetches,
        };
        options.Validate();
        return options;
    }

    /// <summary>Reads the process environment.</summary>
    public static ProxyOptions FromProcessEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Reads a fixed set of variables, as tests and in-process hosts supply them.</summary>
    public static ProxyOptions FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return FromEnvironment(name => environment.TryGetValue(name, out var value) ? value : null);
    }

    /// <summary>Throws a <see cref="ConfigurationException"/> naming the variable of the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Credentials);
        Require(!string.IsNullOrWhiteSpace(Credentials.TenantId), ProxyVariables.TenantId, "must not be empty");
        Require(!string.IsNullOrWhiteSpace(Credentials.ChannelId), ProxyVariables.ChannelId, "must not be empty");
        Require(!string.IsNullOrWhiteSpace(Credentials.EntityId), ProxyVariables.EntityId, "must not be empty");
        Require(!string.IsNullOrWhiteSpace(Credentials.ApiKey), ProxyVariables.ApiKey, "must not be empty");
        try
        {
            Contracts.Mqtt.MqttAddress.Parse(MqttAddress);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ConfigurationException($"{ProxyVariables.MqttAddress}: {e.Message}", e);
        }

        Require(MqttQos is >= 0 and <= 2, ProxyVariables.MqttQos, $"'{MqttQos}' is not 0, 1 or 2");
        Require(MqttTimeout > TimeSpan.Zero, ProxyVariables.MqttTimeout, "must be positive");
        Require(MqttMaxInflight is >= 1 and <= 65535, ProxyVariables.MqttMaxInflight, $"'{MqttMaxInflight}' is not between 1 and 65535");
        Require((MqttTlsClientCert is null) == (MqttTlsClientKey is null), ProxyVariables.MqttTlsClientCert,
            $"the client certificate and {ProxyVariables.MqttTlsClientKey} must be given together");
        RequireFile(MqttTlsCaCert, ProxyVariables.MqttTlsCaCert);
        RequireFile(MqttTlsClientCert, ProxyVariables.MqttTlsClientCert);
        RequireFile(MqttTlsClientKey, ProxyVariables.MqttTlsClientKey);
        Require(!string.IsNullOrWhiteSpace(HttpHost), ProxyVariables.HttpHost, "must not be empty");
        Require(HttpPort is >= 0 and <= ushort.MaxValue, ProxyVariables.HttpPort, $"'{HttpPort}' is not a port number (0-65535)");
        Require(
            ChunkSize is >= MinChunkSize and <= MaxChunkSize,
            ProxyVariables.ChunkSize,
            string.Create(CultureInfo.InvariantCulture, $"{ChunkSize} is outside {MinChunkSize}-{MaxChunkSize} bytes (a base64 chunk must fit a 10 MiB MQTT packet)"));
        if (Authenticate)
        {
            Require(RegistryUrl is not null && RegistryHost!.Length > 0, ProxyVariables.RegistryUrl,
                $"must name the registry host the credentials are for when {ProxyVariables.Authenticate} is true");
            Require(
                (RegistryUsername is not null && RegistryPassword is not null) || RegistryToken is not null,
                ProxyVariables.RegistryUsername,
                $"{ProxyVariables.Authenticate} is true but neither {ProxyVariables.RegistryUsername} with {ProxyVariables.RegistryPassword} nor {ProxyVariables.RegistryToken} is set");
        }

        Require(InsecureRegistries.All(host => host.Length > 0), ProxyVariables.InsecureRegistries, "contains an empty host");
        Require(MaxArtifactBytes > 0, ProxyVariables.MaxArtifactBytes, "must be positive");
        Require(CacheBytes >= 0, ProxyVariables.CacheBytes, "must not be negative (0 turns the cache off)");
        Require(MaxConcurrentFetches is >= 1 and <= 10_000, ProxyVariables.MaxConcurrentFetches, $"'{MaxConcurrentFetches}' is outside 1-10000");
    }

    /// <summary>What the OCI client needs: the credentials (only with <see cref="Authenticate"/>) and the insecure hosts.</summary>
    public OciClientOptions ToOciClientOptions() => new()
    {
        Credentials = Authenticate && RegistryHost is { } host
            ? [new OciCredential(host, RegistryUsername, RegistryPassword, RegistryToken)]
            : [],
        InsecureRegistries = InsecureRegistries,
    };

    /// <summary><c>https://Registry.Example:5000/v2/</c> → <c>registry.example:5000</c>.</summary>
    private static string HostOf(string value)
    {
        var text = value.Trim();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            text = text[(scheme + 3)..];
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return (slash >= 0 ? text[..slash] : text).ToLowerInvariant();
    }
}
