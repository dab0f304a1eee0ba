using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Api;

internal sealed partial class BearerAuthMiddleware
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AuthenticationFailed, EventName = nameof(EventIds.AuthenticationFailed), Level = LogLevel.Warning,
            Message = "Rejected {Method} {Path} from {RemoteAddress}: missing or invalid API key")]
        public static partial void AuthenticationFailed(ILogger logger, string method, PathString path, string remoteAddress);
    }
}
