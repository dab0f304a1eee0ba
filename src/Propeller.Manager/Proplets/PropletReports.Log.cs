using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Proplets;

internal sealed partial class PropletReports
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.PropletDiscovered, EventName = nameof(EventIds.PropletDiscovered), Level = LogLevel.Information,
            Message = "Proplet {PropletId} registered as {Name}")]
        public static partial void PropletDiscovered(ILogger logger, string propletId, string name);

        [LoggerMessage(EventId = EventIds.PropletMetadataRefreshed, EventName = nameof(EventIds.PropletMetadataRefreshed), Level = LogLevel.Information,
            Message = "Proplet {PropletId} announced itself again; metadata refreshed")]
        public static partial void PropletMetadataRefreshed(ILogger logger, string propletId);

        [LoggerMessage(EventId = EventIds.PropletCreatedFromHeartbeat, EventName = nameof(EventIds.PropletCreatedFromHeartbeat), Level = LogLevel.Information,
            Message = "Heartbeat from unknown proplet {PropletId}; registered it as {Name}")]
        public static partial void PropletCreatedFromHeartbeat(ILogger logger, string propletId, string name);

        [LoggerMessage(EventId = EventIds.PropletCreatedFromMetrics, EventName = nameof(EventIds.PropletCreatedFromMetrics), Level = LogLevel.Information,
            Message = "Metrics from unknown proplet {PropletId}; registered it as {Name}")]
        public static partial void PropletCreatedFromMetrics(ILogger logger, string propletId, string name);

        [LoggerMessage(EventId = EventIds.PropletOffline, EventName = nameof(EventIds.PropletOffline), Level = LogLevel.Information,
            Message = "Proplet {PropletId} went offline (Last Will)")]
        public static partial void PropletOffline(ILogger logger, string propletId);

        [LoggerMessage(EventId = EventIds.OfflineForUnknownProplet, EventName = nameof(EventIds.OfflineForUnknownProplet), Level = LogLevel.Debug,
            Message = "Last Will of unknown proplet {PropletId} ignored")]
        public static partial void OfflineForUnknownProplet(ILogger logger, string propletId);
    }
}
