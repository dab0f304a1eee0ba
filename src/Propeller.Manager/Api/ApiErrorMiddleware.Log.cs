using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Api;

internal sealed partial class ApiErrorMiddleware
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.UnhandledException, EventName = nameof(EventIds.UnhandledException), Level = LogLevel.Error,
            Message = "{Method} {Path} failed; answered 500")]
        public static partial void UnhandledException(ILogger logger, string method, PathString path, Exception exception);
    }
}
