namespace Propeller.Broker.Tests.Support;

/// <summary>
/// A test that drives the broker with the real <c>mosquitto_pub</c>/<c>mosquitto_sub</c>. Skipped when they are
/// not installed, except in CI (CI=true), where it runs and fails on the missing binary.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class MosquittoFactAttribute : FactAttribute
{
    public MosquittoFactAttribute()
    {
        if (!MosquittoClients.AreInstalled && !MosquittoClients.IsCi)
        {
            Skip = "mosquitto_pub/mosquitto_sub are not installed (apt-get install mosquitto-clients); CI=true makes this a failure.";
        }
    }
}
