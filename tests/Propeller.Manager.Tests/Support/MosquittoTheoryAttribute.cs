using Propeller.Testing;

namespace Propeller.Manager.Tests.Support;

/// <summary>The <see cref="MosquittoFactAttribute"/> rule for theories.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MosquittoTheoryAttribute : TheoryAttribute
{
    public MosquittoTheoryAttribute()
    {
        if (!RequiredTool.IsCi && MosquittoBroker.FindExecutable() is null)
        {
            Skip = "mosquitto is not installed (apt-get install mosquitto); CI=true makes this a failure";
        }
    }
}
