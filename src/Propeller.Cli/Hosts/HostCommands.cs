using System.CommandLine;

namespace Propeller.Cli.Hosts;

/// <summary>The commands that run parts of the system in this process.</summary>
internal static class HostCommands
{
    public static IEnumerable<Command> Build() => [];
}
