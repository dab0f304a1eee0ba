namespace Propeller.Broker.Tests.Support;

/// <summary>Generous bounds for waits on a loaded 2-core machine; reaching one is a failure, never a measurement.</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
}
