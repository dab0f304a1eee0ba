using System.Globalization;

namespace Propeller.Manager.Storage;

/// <summary>
/// The id of a metrics sample, <c>"{owner_id}:{unix_nanos}"</c> as upstream stores it. One sample per owner and
/// instant: a second sample with the same timestamp replaces the first.
/// </summary>
internal static class MetricsKey
{
    public static string For(string ownerId, DateTimeOffset timestamp)
    {
        // Int128: unix nanoseconds of distant dates overflow a long.
        var nanos = (Int128)(timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        return ownerId + ":" + nanos.ToString(CultureInfo.InvariantCulture);
    }
}
