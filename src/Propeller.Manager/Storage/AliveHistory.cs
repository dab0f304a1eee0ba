using Propeller.Manager.Proplets;

namespace Propeller.Manager.Storage;

/// <summary>The heartbeat history rule both backends apply: arrival order, only the newest entries kept.</summary>
internal static class AliveHistory
{
    public static DateTimeOffset[] Append(IReadOnlyList<DateTimeOffset> history, DateTimeOffset at) =>
        Trim([.. history, at]);

    public static DateTimeOffset[] Trim(IReadOnlyList<DateTimeOffset> history) =>
        history.Skip(Math.Max(0, history.Count - Proplet.AliveHistoryLimit)).ToArray();
}
