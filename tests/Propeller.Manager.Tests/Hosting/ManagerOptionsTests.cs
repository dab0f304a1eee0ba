using Microsoft.Extensions.Logging;
using Propeller.Contracts.Configuration;
using Propeller.Manager.Hosting;

namespace Propeller.Manager.Tests.Hosting;

public sealed class ManagerOptionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("propeller-manager-options-").FullName;

    private static readonly Dictionary<string, string> Identity = new()
    {
        ["MANAGER_TENANT_ID"] = "tenant",
        ["MANAGER_CHANNEL_ID"] = "channel",
        ["MANAGER_ENTITY_ID"] = "entity",
        ["MANAGER_API_KEY"] = "key",
    };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ManagerOptions Load(Dictionary<string, string> variables, string? configFile = null) =>
        ManagerOptions.FromEnvironment(name => variables.GetValueOrDefault(name), configFile ?? Path.Combine(_directory, "config.toml"));

    private static Dictionary<string, string> With(params (string Name, string Value)[] extra)
    {
        var variables = new Dictionary<string, string>(Identity);
        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        return variables;
    }

    [Fact]
    public void FromEnvironment_OnlyIdentity_UsesTheDefaults()
    {
        var options = Load(Identity);

        Assert.Equal(new EntityCredentials("tenant", "channel", "entity", "key"), options.Credentials);
        Assert.Equal(LogLevel.Information, options.LogLevel);
        Assert.Equal("tcp://localhost:1883", options.MqttAddress);
        Assert.Equal(2, options.MqttQos);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MqttTimeout);
        Assert.Equal(16, options.MqttMaxInflight);
        Assert.Equal("localhost", options.HttpHost);
        Assert.Equal(7070, options.HttpPort);
        Assert.Equal(100L * 1024 * 1024, options.HttpMaxBodyBytes);
        Assert.Equal("sqlite", options.Storage.Type);
        Assert.Equal(Path.Combine("./data", "manager.db"), options.Storage.SqlitePath);
        Assert.Equal("key", options.RestApiKey);
        Assert.False(options.InsecureNoAuth);
    }

    [Fact]
    public void FromEnvironment_EverySetting_IsRead()
    {
        var options = Load(With(
            ("MANAGER_LOG_LEVEL", "debug"),
            ("MANAGER_MQTT_ADDRESS", "ssl://broker:8883"),
            ("MANAGER_MQTT_QOS", "1"),
            ("MANAGER_MQTT_TIMEOUT", "1m"),
            ("MANAGER_MQTT_MAX_INFLIGHT", "8"),
            ("MANAGER_HTTP_HOST", "0.0.0.0"),
            ("MANAGER_HTTP_PORT", "0"),
            ("MANAGER_HTTP_MAX_BODY_BYTES", "2048"),
            ("MANAGER_HTTP_SERVER_IDLE_TIMEOUT", "90"),
            ("MANAGER_HTTP_API_KEY", "rest"),
            ("MANAGER_INSECURE_NO_AUTH", "true"),
            ("MANAGER_STORAGE_TYPE", "MEMORY"),
            ("MANAGER_DATA_DIR", "/var/lib/propeller")));

        Assert.Equal(LogLevel.Debug, options.LogLevel);
        Assert.Equal("ssl://broker:8883", options.MqttAddress);
        Assert.Equal(1, options.MqttQos);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MqttTimeout);
        Assert.Equal(8, options.MqttMaxInflight);
        Assert.Equal("0.0.0.0", options.HttpHost);
        Assert.Equal(0, options.HttpPort);
        Assert.Equal(2048, options.HttpMaxBodyBytes);
        Assert.Equal(TimeSpan.FromSeconds(90), options.HttpIdleTimeout);
        Assert.Equal("rest", options.RestApiKey);
        Assert.True(options.InsecureNoAuth);
        Assert.Equal("memory", options.Storage.Type);
        Assert.Equal(Path.Combine("/var/lib/propeller", "manager.db"), options.Storage.SqlitePath);
    }

    [Fact]
    public void FromEnvironment_SqlitePath_OverridesTheDataDir()
    {
        var options = Load(With(("MANAGER_DATA_DIR", "/data"), ("MANAGER_SQLITE_PATH", "/other/db.sqlite")));

        Assert.Equal("/other/db.sqlite", options.Storage.SqlitePath);
    }

    [Theory]
    [InlineData("MANAGER_MQTT_QOS", "3")]
    [InlineData("MANAGER_MQTT_QOS", "two")]
    [InlineData("MANAGER_MQTT_TIMEOUT", "soon")]
    [InlineData("MANAGER_MQTT_MAX_INFLIGHT", "0")]
    [InlineData("MANAGER_MQTT_MAX_INFLIGHT", "many")]
    [InlineData("MANAGER_MQTT_ADDRESS", "http://broker")]
    [InlineData("MANAGER_HTTP_PORT", "70000")]
    [InlineData("MANAGER_HTTP_MAX_BODY_BYTES", "12")]
    [InlineData("MANAGER_LOG_LEVEL", "loud")]
    [InlineData("MANAGER_INSECURE_NO_AUTH", "maybe")]
    [InlineData("MANAGER_STORAGE_TYPE", "badger")]
    [InlineData("MANAGER_POSTGRES_PORT", "five")]
    [InlineData("MANAGER_MQTT_TLS_CA_CERT", "/no/such/ca.pem")]
    [InlineData("MANAGER_MQTT_TLS_CLIENT_CERT", "/no/such/cert.pem")]
    [InlineData("MANAGER_HTTP_SERVER_CERT", "/no/such/cert.pem")]
    public void FromEnvironment_BadValue_NamesTheVariable(string variable, string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(With((variable, value))));

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_MissingIdentityWithoutConfigFile_NamesWhatIsMissing()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(new Dictionary<string, string> { ["MANAGER_TENANT_ID"] = "t" }));

        Assert.Contains("MANAGER_ENTITY_ID", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MANAGER_TENANT_ID", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_MissingIdentity_ComesFromTheManagerSectionOfConfigToml()
    {
        var file = Path.Combine(_directory, "config.toml");
        File.WriteAllText(file, """
            [manager]
            tenant_id = "file-tenant"
            channel_id = "file-channel"
            entity_id = "file-entity"
            api_key = "file-key"

            [proplet]
            entity_id = "other"
            """);

        var options = Load(new Dictionary<string, string> { ["MANAGER_TENANT_ID"] = "env-tenant" }, file);

        Assert.Equal(new EntityCredentials("env-tenant", "file-channel", "file-entity", "file-key"), options.Credentials);
    }

    [Fact]
    public void Validate_OptionsBuiltInCode_AreCheckedToo()
    {
        var options = new ManagerOptions { Credentials = new EntityCredentials("t", "c", "e", "k"), HttpPort = -1 };

        var error = Assert.Throws<ConfigurationException>(options.Validate);

        Assert.Contains("MANAGER_HTTP_PORT", error.Message, StringComparison.Ordinal);
    }
}
