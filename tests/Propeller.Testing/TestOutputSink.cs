using Xunit.Abstractions;

namespace Propeller.Testing;

/// <summary>Echoes captured logs to xunit's per-test output; ignores writes after the test ended.</summary>
public sealed class TestOutputSink(ITestOutputHelper output) : ITestOutputSink
{
    public void WriteLine(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished; background components may still log.
        }
    }
}
