using Cronos;

namespace Propeller.Manager.Tasks;

/// <summary>Cron expressions of scheduled tasks (manager-reference §6): five fields, an IANA time zone.</summary>
internal static class TaskSchedule
{
    public const string DefaultTimeZone = "UTC";

    public static bool IsValid(string expression) => TryParse(expression, out _, out _);

    /// <summary>Whether <paramref name="name"/> is a time zone this machine knows (empty means UTC).</summary>
    public static bool IsKnownTimeZone(string? name) =>
        string.IsNullOrWhiteSpace(name) || TimeZoneInfo.TryFindSystemTimeZoneById(name, out _);

    /// <summary>
    /// The first occurrence strictly after <paramref name="now"/> in <paramref name="timeZone"/>
    /// (unknown zones fall back to UTC, as in the original); <see cref="DateTimeOffset.MinValue"/> when none exists.
    /// </summary>
    public static DateTimeOffset NextRun(string expression, string? timeZone, DateTimeOffset now)
    {
        if (!TryParse(expression, out var cron, out var prefixZone))
        {
            return DateTimeOffset.MinValue;
        }

        var zone = FindZone(prefixZone ?? timeZone);
        return cron.GetNextOccurrence(now, zone) ?? DateTimeOffset.MinValue;
    }

    private static bool TryParse(string expression, out CronExpression cron, out string? prefixZone)
    {
        cron = null!;
        prefixZone = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            return false;
        }

        var text = expression.Trim();

        // The Go parser accepts a leading TZ=Zone or CRON_TZ=Zone.
        if (text.StartsWith("TZ=", StringComparison.Ordinal) || text.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                return false;
            }

            prefixZone = text[(text.IndexOf('=', StringComparison.Ordinal) + 1)..space];
            text = text[(space + 1)..].TrimStart();
        }

        if (text.StartsWith('@'))
        {
            return false;
        }

        if (!CronExpression.TryParse(text, CronFormat.Standard, out var parsed) || parsed is null)
        {
            return false;
        }

        cron = parsed;
        return true;
    }

    private static TimeZoneInfo FindZone(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
