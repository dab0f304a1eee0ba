namespace Propeller.Broker.Transport;

/// <summary>What turns a <see cref="BrokerTcpAdapter"/> into a TLS listener.</summary>
internal sealed record TlsListenerSettings(TlsServerCertificate Certificate, TimeSpan HandshakeTimeout);
