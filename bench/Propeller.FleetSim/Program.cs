using Propeller.FleetSim.Fleet;
using Propeller.FleetSim.Footprint;
using Propeller.FleetSim.Reporting;

namespace Propeller.FleetSim;

/// <summary>
/// <c>fleet</c>: thousands of simulated proplets against an in-process broker and manager.
/// <c>footprint</c>: resident memory of real proplet and manager processes. Each prints a table and writes
/// <c>bench/results/&lt;command&gt;.json</c>.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Propeller.FleetSim fleet [--proplets 1000,5000] [--heartbeat-seconds 5] [--seconds 30] [--tasks 200 | --tasks 200,0] [--storage sqlite|memory] [--start-topic direct|channel] [--broker embedded|mosquitto]
               Propeller.FleetSim footprint [--tasks 100] [--nap-ms 5000] [--settle-seconds 5]
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        try
        {
            var options = Arguments.Parse(args.Skip(1));
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            var report = args[0] switch
            {
                "fleet" => await FleetCommand.RunAsync(FleetSettings.From(options), stop.Token).ConfigureAwait(false),
                "footprint" => await FootprintCommand.RunAsync(FootprintSettings.From(options), stop.Token).ConfigureAwait(false),
                _ => throw new ArgumentException($"unknown command '{args[0]}'"),
            };
            // One file per broker, so the suite keeps both fleets side by side.
            var path = ResultFile.Write(args[0] == "fleet" ? $"fleet-{report["broker"]}" : args[0], report);
            Console.WriteLine($"wrote {path}");
            return 0;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"{e.Message}\n{Usage}").ConfigureAwait(false);
            return 2;
        }
    }
}
