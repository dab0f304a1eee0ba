using Propeller.LoadDriver.Commands;
using Propeller.LoadDriver.Output;

namespace Propeller.LoadDriver;

/// <summary>
/// Load driver for the whole system in one process: dispatch latency, closed-loop throughput and the Mosquitto
/// comparison; each command prints a table and writes <c>bench/results/&lt;command&gt;.json</c>.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: dotnet run -c Release --project bench/Propeller.LoadDriver -- <command> [options]
          dispatch   [--tasks 2000] [--proplets 1,2,8] [--broker embedded|mosquitto|both]
          throughput [--proplets 8] [--concurrency 1,4,16,64] [--seconds 10] [--broker embedded|mosquitto] [--poll-ms 1]
          report     merges bench/results/*.json into bench/results/latest.json
        """;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            var rest = args.Skip(1).ToList();
            return args.FirstOrDefault() switch
            {
                DispatchCommand.Name => await DispatchCommand.RunAsync(DriverOptions.Parse(rest, DispatchCommand.Known)).ConfigureAwait(false),
                ThroughputCommand.Name => await ThroughputCommand.RunAsync(DriverOptions.Parse(rest, ThroughputCommand.Known)).ConfigureAwait(false),
                ReportCommand.Name when rest.Count == 0 => ReportCommand.Run(),
                _ => throw new UsageException(args.Length == 0 ? "no command given" : $"unknown command or arguments: {string.Join(' ', args)}"),
            };
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}{Environment.NewLine}{Usage}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            // A task that failed or never finished makes the run meaningless: say why and stop, no partial file.
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
