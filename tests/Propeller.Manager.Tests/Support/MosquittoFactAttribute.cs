using Propeller.Testing;

namespace Propeller.Manager.Tests.Support;

/// <summary>
/// A test that needs a real <c>mosquitto</c>. Skipped when it is not installed, except under CI=true, where the
/// broker fixture then fails the test.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MosquittoFactAttribute : FactAttribute
{
    public MosquittoFactAttribute()
    {
        if (!RequiredTool.IsCi && MosquittoBroker.FindExecutable() is null)
        {
            Skip = "mosquitto is not installed (apt-get install mosquitto); CI=true makes this a failure";
        }
    }
}
