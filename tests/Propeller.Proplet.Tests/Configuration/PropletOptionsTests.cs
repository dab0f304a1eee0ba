using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using Propeller.Contracts.Configuration;
using Propeller.Proplet.Configuration;

namespace Propeller.Proplet.Tests.Configuration;

public sealed class PropletOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("propeller-proplet-cfg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FromEnvironment_OnlyCredentials_UsesTheOriginalDefaults()
    {
        var options = PropletOptions.FromEnvironment(Credentials());

        Assert.Equal(new EntityCredentials("t", "c", "p1", "k"), options.Credentials);
        Assert.Equal("p1", options.PropletId);
        Assert.Equal(LogLevel.Information, options.LogLevel);
        Assert.Equal("tcp://localhost:1883", options.MqttAddress);
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, options.MqttQos);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MqttKeepAlive);
        Assert.Equal(16, options.MqttMaxInflight);
        Assert.Equal(10 * 1024 * 1024, options.MqttMaxPacketSize);
        Assert.Equal(TimeSpan.FromSeconds(10), options.LivelinessInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.MetricsInterval);
        Assert.True(options.EnableMonitoring);
        Assert.True(options.CollectSystemInfo);
        Assert.Equal("default", options.Namespace);
        Assert.Empty(options.Dirs);
        Assert.Empty(options.Tags);
        Assert.Null(options.Description);
        Assert.Null(options.Location);
        Assert.Null(options.MqttTlsCaCert);
        Assert.False(options.MqttTlsInsecureSkipVerify);
    }

    [Fact]
    public void FromEnvironment_EverySetting_IsRead()
    {
        var env = Credentials(new()
        {
            ["PROPLET_LOG_LEVEL"] = "debug",
            ["PROPLET_MQTT_ADDRESS"] = "mqtts://broker.example",
            ["PROPLET_MQTT_QOS"] = "1",
            ["PROPLET_MQTT_KEEP_ALIVE"] = "45",
            ["PROPLET_MQTT_MAX_INFLIGHT"] = "8",
            ["PROPLET_MQTT_MAX_PACKET_SIZE"] = "2048",
            ["PROPLET_LIVELINESS_INTERVAL"] = "2",
            ["PROPLET_METRICS_INTERVAL"] = "0",
            ["PROPLET_ENABLE_MONITORING"] = "on",
            ["PROPLET_MANAGER_K8S_NAMESPACE"] = "edge",
            ["PROPLET_DIRS"] = $"{_dir}::{_dir}",
            ["PROPLET_DESCRIPTION"] = "bench unit",
            ["PROPLET_TAGS"] = " gpu , arm64,, lab ",
            ["PROPLET_LOCATION"] = "rack 4",
            ["PROPLET_COLLECT_SYSTEM_INFO"] = "off",
            ["PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY"] = "YES",
            ["PROPLET_EXTERNAL_WASM_RUNTIME"] = "/usr/bin/wasmtime",
            ["PROPLET_MQTT_INFLIGHT"] = "5",
        });

        var options = PropletOptions.FromEnvironment(env);

        Assert.Equal(LogLevel.Debug, options.LogLevel);
        Assert.Equal("mqtts://broker.example", options.MqttAddress);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, options.MqttQos);
        Assert.Equal(TimeSpan.FromSeconds(45), options.MqttKeepAlive);
        Assert.Equal(8, options.MqttMaxInflight);
        Assert.Equal(2048, options.MqttMaxPacketSize);
        Assert.Equal(TimeSpan.FromSeconds(2), options.LivelinessInterval);
        Assert.Equal(TimeSpan.Zero, options.MetricsInterval);
        Assert.True(options.EnableMonitoring);
        Assert.Equal("edge", options.Namespace);
        Assert.Equal([_dir, _dir], options.Dirs);
        Assert.Equal("bench unit", options.Description);
        Assert.Equal(["gpu", "arm64", "lab"], options.Tags);
        Assert.Equal("rack 4", options.Location);
        Assert.False(options.CollectSystemInfo);
        Assert.True(options.MqttTlsInsecureSkipVerify);
    }

    [Theory]
    [InlineData("30s")]
    [InlineData("-5")]
    [InlineData("")]
    [InlineData("ten")]
    [InlineData("99999999999999999999999")]
    public void FromEnvironment_IntegerThatDoesNotParse_KeepsTheDefault(string value)
    {
        var options = PropletOptions.FromEnvironment(Credentials(new()
        {
            ["PROPLET_LIVELINESS_INTERVAL"] = value,
            ["PROPLET_METRICS_INTERVAL"] = value,
            ["PROPLET_MQTT_KEEP_ALIVE"] = value,
            ["PROPLET_MQTT_MAX_PACKET_SIZE"] = value,
            ["PROPLET_MQTT_QOS"] = value,
        }));

        Assert.Equal(TimeSpan.FromSeconds(10), options.LivelinessInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.MetricsInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MqttKeepAlive);
        Assert.Equal(10 * 1024 * 1024, options.MqttMaxPacketSize);
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, options.MqttQos);
    }

    [Theory]
    [InlineData("0", MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData("1", MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData("2", MqttQualityOfServiceLevel.ExactlyOnce)]
    [InlineData("7", MqttQualityOfServiceLevel.ExactlyOnce)]
    public void FromEnvironment_Qos_AnythingElseIsTwo(string value, MqttQualityOfServiceLevel expected) =>
        Assert.Equal(expected, PropletOptions.FromEnvironment(Credentials(new() { ["PROPLET_MQTT_QOS"] = value })).MqttQos);

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("Yes", true)]
    [InlineData("on", true)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("enabled", false)]
    public void FromEnvironment_EnableMonitoring_IsTruthyParsed(string value, bool expected) =>
        Assert.Equal(expected, PropletOptions.FromEnvironment(Credentials(new() { ["PROPLET_ENABLE_MONITORING"] = value })).EnableMonitoring);

    [Theory]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("NO", false)]
    [InlineData("off", false)]
    [InlineData("", true)]
    [InlineData("maybe", true)]
    [InlineData("1", true)]
    public void FromEnvironment_CollectSystemInfo_IsFalseOnlyForFalsyWords(string value, bool expected) =>
        Assert.Equal(expected, PropletOptions.FromEnvironment(Credentials(new() { ["PROPLET_COLLECT_SYSTEM_INFO"] = value })).CollectSystemInfo);

    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("verbose", LogLevel.Information)]
    public void FromEnvironment_LogLevel_UnknownIsInfo(string value, LogLevel expected) =>
        Assert.Equal(expected, PropletOptions.FromEnvironment(Credentials(new() { ["PROPLET_LOG_LEVEL"] = value })).LogLevel);

    [Fact]
    public void FromEnvironment_MissingCredentials_ComeFromTheConfigFileButEnvironmentWins()
    {
        var file = WriteConfig("proplet", tenant: "file-tenant", entity: "file-entity", key: "file-key", channel: "file-channel");
        var env = new Dictionary<string, string>
        {
            ["PROPLET_CONFIG_FILE"] = file,
            ["PROPLET_ENTITY_ID"] = "env-entity",
        };

        var options = PropletOptions.FromEnvironment(env);

        Assert.Equal(new EntityCredentials("file-tenant", "file-channel", "env-entity", "file-key"), options.Credentials);
    }

    [Fact]
    public void FromEnvironment_ConfigSection_SelectsThatTable()
    {
        WriteConfig("proplet", tenant: "t", entity: "first", key: "k1", channel: "c");
        var file = WriteConfig("proplet2", tenant: "t", entity: "second", key: "k2", channel: "c", append: true);

        var options = PropletOptions.FromEnvironment(new Dictionary<string, string>
        {
            ["PROPLET_CONFIG_FILE"] = file,
            ["PROPLET_CONFIG_SECTION"] = "proplet2",
        });

        Assert.Equal("second", options.PropletId);
        Assert.Equal("k2", options.Credentials.ApiKey);
    }

    [Fact]
    public void FromEnvironment_NoApiKeyAndNoConfigFile_NamesTheSetting()
    {
        var env = Credentials();
        env.Remove("PROPLET_API_KEY");
        env["PROPLET_CONFIG_FILE"] = Path.Combine(_dir, "missing.toml");

        var error = Assert.Throws<ConfigurationException>(() => PropletOptions.FromEnvironment(env));

        Assert.Contains("api_key/PROPLET_API_KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_NothingAtAll_NamesEveryMissingSetting()
    {
        var error = Assert.Throws<ConfigurationException>(() => PropletOptions.FromEnvironment(
            new Dictionary<string, string> { ["PROPLET_CONFIG_FILE"] = Path.Combine(_dir, "missing.toml") }));

        Assert.Contains("api_key/PROPLET_API_KEY", error.Message, StringComparison.Ordinal);
        Assert.Contains("tenant_id/PROPLET_TENANT_ID", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PROPLET_MQTT_ADDRESS", "gopher://broker", "PROPLET_MQTT_ADDRESS")]
    [InlineData("PROPLET_MQTT_ADDRESS", "tcp://broker:99999", "PROPLET_MQTT_ADDRESS")]
    [InlineData("PROPLET_MQTT_KEEP_ALIVE", "70000", "PROPLET_MQTT_KEEP_ALIVE")]
    [InlineData("PROPLET_MQTT_MAX_PACKET_SIZE", "0", "PROPLET_MQTT_MAX_PACKET_SIZE")]
    [InlineData("PROPLET_MQTT_MAX_INFLIGHT", "0", "PROPLET_MQTT_MAX_INFLIGHT")]
    [InlineData("PROPLET_DIRS", "/definitely/not/here", "PROPLET_DIRS")]
    [InlineData("PROPLET_MQTT_TLS_CA_CERT", "/definitely/not/ca.pem", "PROPLET_MQTT_TLS_CA_CERT")]
    [InlineData("PROPLET_MQTT_TLS_CLIENT_CERT", "/definitely/not/cert.pem", "PROPLET_MQTT_TLS_CLIENT_KEY")]
    public void FromEnvironment_InvalidValue_ErrorNamesTheVariable(string name, string value, string named)
    {
        var error = Assert.Throws<ConfigurationException>(() => PropletOptions.FromEnvironment(Credentials(new() { [name] = value })));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OptionsBuiltInCode_AreCheckedToo()
    {
        var options = new PropletOptions
        {
            Credentials = new EntityCredentials("t", "c", "p", "k"),
            LivelinessInterval = TimeSpan.FromSeconds(-1),
        };

        var error = Assert.Throws<ConfigurationException>(options.Validate);

        Assert.Contains("PROPLET_LIVELINESS_INTERVAL", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Credentials(Dictionary<string, string>? more = null)
    {
        var env = new Dictionary<string, string>
        {
            ["PROPLET_TENANT_ID"] = "t",
            ["PROPLET_CHANNEL_ID"] = "c",
            ["PROPLET_ENTITY_ID"] = "p1",
            ["PROPLET_API_KEY"] = "k",
            ["PROPLET_CONFIG_FILE"] = "/nonexistent/config.toml",
        };
        foreach (var (name, value) in more ?? [])
        {
            env[name] = value;
        }

        return env;
    }

    private string WriteConfig(string section, string tenant, string entity, string key, string channel, bool append = false)
    {
        var file = Path.Combine(_dir, "config.toml");
        var text = $"""

            [{section}]
            tenant_id = "{tenant}"
            entity_id = "{entity}"
            api_key = "{key}"
            channel_id = "{channel}"

            """;
        if (append)
        {
            File.AppendAllText(file, text);
        }
        else
        {
            File.WriteAllText(file, "[manager]\ntenant_id = \"m\"\n" + text);
        }

        return file;
    }
}
