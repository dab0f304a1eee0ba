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
        if (!TryParse(expression, out var crons, out var prefixZone))
        {
            return DateTimeOffset.MinValue;
        }

        var zone = FindZone(prefixZone ?? timeZone);
        var next = crons.Select(c => c.GetNextOccurrence(now, zone)).Where(o => o.HasValue).Select(o => o!.Value).ToList();
        return next.Count == 0 ? DateTimeOffset.MinValue : next.Min();
    }

    private static bool TryParse(string expression, out IReadOnlyList<CronExpression> crons, out string? prefixZone)
    {
        crons = [];
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

        crons = DaysEither(text) ?? [parsed];
        return true;
    }

    /// <summary>
    /// Standard cron fires when day-of-month OR day-of-week matches if both are restricted; Cronos requires both,
    /// so such an expression becomes two (one per day field) and the earlier occurrence wins.
    /// </summary>
    private static CronExpression[]? DaysEither(string text)
    {
        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5 || IsUnrestricted(fields[2]) || IsUnrestricted(fields[4]))
        {
            return null;
        }

        return
        [
            CronExpression.Parse($"{fields[0]} {fields[1]} {fields[2]} {fields[3]} *", CronFormat.Standard),
            CronExpression.Parse($"{fields[0]} {fields[1]} * {fields[3]} {fields[4]}", CronFormat.Standard),
        ];
    }

    private static bool IsUnrestricted(string field) => field is "*" or "?";

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
