using System.Globalization;

namespace Propeller.Manager.Storage;

/// <summary>
/// How the SQL backends store an instant: ISO-8601 text in UTC with exactly seven fractional digits. Fixed width,
/// so comparing and ordering the text (byte order) compares the instants; it keeps every tick of a
/// <see cref="DateTimeOffset"/>; and it stays readable in the sqlite3 and psql shells.
/// </summary>
internal static class StoredTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string ToText(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
