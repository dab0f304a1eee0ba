namespace Propeller.Broker.Diagnostics;

/// <summary>Every log event id of the broker (range 1000-1999), so operators can alert on ids.</summary>
internal static class EventIds
{
    // Lifecycle 1000-1009.
    public const int BrokerStarted = 1000;
    public const int BrokerStopped = 1001;
    public const int SessionExpired = 1002;
    public const int CredentialStoreReloadFailed = 1003;
    public const int TlsCertificateLoaded = 1004;

    // Connections 1010-1029.
    public const int ClientConnected = 1010;
    public const int ClientDisconnected = 1011;
    public const int AuthenticationFailed = 1012;
    public const int AnonymousConnectionRejected = 1013;
    public const int WillTopicDenied = 1014;
    public const int ClientIdOwnedByOtherEntity = 1015;
    public const int ClientIdOfAnotherEntity = 1016;

    // Authorisation 1030-1049.
    public const int PublishDenied = 1030;
    public const int SubscriptionDenied = 1031;

    // Transport 1050-1069.
    public const int PacketTooLarge = 1050;
    public const int AcceptFailed = 1051;
    public const int ConnectionEndedAbruptly = 1052;
    public const int ConnectPacketTooLarge = 1053;
    public const int ConnectionLimitReached = 1054;
    public const int TlsHandshakeFailed = 1055;

    // MQTTnet's own diagnostics, forwarded 1090.
    public const int MqttNet = 1090;
}
