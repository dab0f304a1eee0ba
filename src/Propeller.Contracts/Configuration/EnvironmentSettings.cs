using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Propeller.Contracts.Configuration;

/// <summary>
/// Strict parsing of one environment setting for the manager and the proxy: a value that does not parse is a
/// <see cref="ConfigurationException"/> naming the variable, never a silent default.
/// </summary>
public static class EnvironmentSettings
{
    public static int ParseInt(string variable, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ConfigurationException($"{variable}: '{text}' is not a whole number in range");

    public static long ParseLong(string variable, string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ConfigurationException($"{variable}: '{text}' is not a whole number in range");

    public static TimeSpan ParseDuration(string variable, string text) =>
        GoDuration.TryParse(text, out var value)
            ? value
            : throw new ConfigurationException($"{variable}: '{text}' is not a duration (e.g. 30s, 1m, or seconds)");

    public static bool ParseBool(string variable, string text) => text.ToUpperInvariant() switch
    {
        "1" or "TRUE" or "YES" or "ON" => true,
        "0" or "FALSE" or "NO" or "OFF" => false,
        _ => throw new ConfigurationException($"{variable}: '{text}' is not true or false"),
    };

    public static LogLevel ParseLogLevel(string variable, string text) => text.ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "INFO" or "INFORMATION" => LogLevel.Information,
        "WARN" or "WARNING" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "CRITICAL" or "FATAL" => LogLevel.Critical,
        "NONE" => LogLevel.None,
        _ => throw new ConfigurationException($"{variable}: '{text}' is not one of debug, info, warn, error"),
    };

    public static void Require(bool condition, string variable, string problem)
    {
        if (!condition)
        {
            throw new ConfigurationException($"{variable}: {problem}");
        }
    }

    public static void RequireFile(string? path, string variable) =>
        Require(path is null || File.Exists(path), variable, $"file '{path}' not found");
}
