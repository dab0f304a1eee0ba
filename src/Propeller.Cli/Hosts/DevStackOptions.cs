using Microsoft.Extensions.Logging;

namespace Propeller.Cli.Hosts;

/// <summary>How <see cref="DevStack"/> runs: where its data lives, how many proplets, which loopback ports.</summary>
internal sealed record DevStackOptions
{
    public string DataDir { get; init; } = ".propeller";

    public int Proplets { get; init; } = 2;

    /// <summary>0 picks a free port.</summary>
    public int MqttPort { get; init; } = 1883;

    /// <summary>0 picks a free port.</summary>
    public int HttpPort { get; init; } = 7070;

    /// <summary>The proxy's /health and /metrics port; 0 picks a free port.</summary>
    public int ProxyHttpPort { get; init; } = 9191;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Extra <c>MANAGER_*</c> settings (plugin directory, storage); they win over the stack's own.</summary>
    public IReadOnlyDictionary<string, string> ManagerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra <c>PROXY_*</c> settings (registry credentials, insecure registries); they win over the stack's own.</summary>
    public IReadOnlyDictionary<string, string> ProxyEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra <c>PROPLET_*</c> settings for every proplet; they win over the stack's own.</summary>
    public IReadOnlyDictionary<string, string> PropletEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Heartbeat period of the proplets, in seconds.</summary>
    public int LivelinessIntervalSeconds { get; init; } = 10;

    public void Validate()
    {
        if (Proplets is < 1 or > 64)
        {
            throw new Commands.CliUsageException($"--proplets must be between 1 and 64, not {Proplets}");
        }

        if (MqttPort is < 0 or > 65535 || HttpPort is < 0 or > 65535 || ProxyHttpPort is < 0 or > 65535)
        {
            throw new Commands.CliUsageException("ports must be between 0 and 65535");
        }
    }
}
