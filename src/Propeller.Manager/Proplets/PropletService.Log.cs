using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Proplets;

internal sealed partial class PropletService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.PropletDeleted, EventName = nameof(EventIds.PropletDeleted), Level = LogLevel.Information,
            Message = "Proplet {PropletId} deleted")]
        public static partial void PropletDeleted(ILogger logger, string propletId);
    }
}
