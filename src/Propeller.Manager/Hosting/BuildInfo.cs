using System.Globalization;
using System.Reflection;

namespace Propeller.Manager.Hosting;

/// <summary>Version, commit and build time of this build, for <c>/health</c>.</summary>
internal sealed record BuildInfo(string Version, string Commit, string BuildTime)
{
    public const string Unknown = "unknown";

    public static BuildInfo Current { get; } = FromAssembly(typeof(BuildInfo).Assembly);

    /// <summary>The informational version is <c>version+commit</c> when the SDK knows the source revision.</summary>
    public static BuildInfo FromAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? Unknown;
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var version = plus < 0 ? informational : informational[..plus];
        var commit = plus < 0 ? Unknown : informational[(plus + 1)..];
        var buildTime = string.IsNullOrEmpty(assembly.Location)
            ? Unknown
            : File.GetLastWriteTimeUtc(assembly.Location).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new BuildInfo(version, commit, buildTime);
    }
}
