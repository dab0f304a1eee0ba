using Microsoft.Extensions.Logging;
using Propeller.Broker.Diagnostics;

namespace Propeller.Broker.Credentials;

internal sealed partial class CredentialStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.CredentialStoreReloadFailed, EventName = nameof(EventIds.CredentialStoreReloadFailed), Level = LogLevel.Warning,
            Message = "Credential store {Path} changed on disk but cannot be reloaded; the previous credentials stay in force")]
        public static partial void ReloadFailed(ILogger logger, string path, Exception exception);
    }
}
