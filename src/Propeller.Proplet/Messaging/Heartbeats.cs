using Propeller.Contracts.Messages;
using Propeller.Proplet.Configuration;

namespace Propeller.Proplet.Messaging;

/// <summary>The <c>control/proplet/alive</c> payloads: the periodic heartbeat and the offline notice (also the Last Will).</summary>
internal static class Heartbeats
{
    public static HeartbeatMessage Alive(PropletOptions options) => Create(options, HeartbeatMessage.AliveStatus);

    public static HeartbeatMessage Offline(PropletOptions options) => Create(options, HeartbeatMessage.OfflineStatus);

    private static HeartbeatMessage Create(PropletOptions options, string status)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HeartbeatMessage { PropletId = options.PropletId, Status = status, Namespace = options.Namespace };
    }
}
