using System.CommandLine;
using Propeller.Cli.Commands;

namespace Propeller.Cli;

/// <summary>The <c>propeller</c> command tree.</summary>
internal static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Propeller: run WebAssembly workloads on a fleet of proplets")
        {
            GlobalOptions.ManagerUrl,
            GlobalOptions.ApiKey,
            GlobalOptions.Json,
        };
        root.Add(TasksCommands.Build());
        root.Add(WorkflowsCommands.Build());
        root.Add(JobsCommands.Build());
        root.Add(PropletsCommands.Build());
        root.Add(HealthCommand.Build());
        root.Add(PushCommand.Build());
        foreach (var host in Hosts.HostCommands.Build())
        {
            root.Add(host);
        }

        return root;
    }

    /// <summary>Runs the CLI with the given streams; the exit code is non-zero on any failure.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
        };
        return Build().Parse(args).InvokeAsync(configuration, cancellationToken);
    }
}
