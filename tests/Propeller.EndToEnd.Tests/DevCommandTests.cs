using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Propeller.Cli;
using Propeller.Contracts.Serialization;
using Propeller.Testing;

namespace Propeller.EndToEnd.Tests;

/// <summary><c>propeller dev</c> brings the stack up, keeps its credentials, and stops cleanly on Ctrl+C.</summary>
public sealed partial class DevCommandTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("propeller-dev-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task Dev_StartsServesAndStopsOnCancel_ReusingItsCredentials()
    {
        var first = await RunUntilUpAsync();
        var configAfterFirstRun = await File.ReadAllTextAsync(Path.Combine(_dataDir, "config.toml"));

        var second = await RunUntilUpAsync();

        Assert.Equal(configAfterFirstRun, await File.ReadAllTextAsync(Path.Combine(_dataDir, "config.toml")));
        Assert.Equal(first.Proplets, second.Proplets);
    }

    private async Task<(string Proplets, int Exit)> RunUntilUpAsync()
    {
        using var output = new StringWriter();
        var synchronized = TextWriter.Synchronized(output);
        using var stop = new CancellationTokenSource();
        var run = CliApp.RunAsync(["dev", "--data-dir", _dataDir, "--mqtt-port", "0", "--http-port", "0"], synchronized, TextWriter.Null, stop.Token);

        var url = await Eventually.ValueAsync(
            () => Task.FromResult<string?>(ManagerLine().Match(output.ToString()) is { Success: true } m ? m.Groups[1].Value : null),
            _ => true,
            "the dev stack to report its manager URL");
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        await Eventually.ValueAsync(
            async () => await http.GetFromJsonAsync("proplets?status=active", PropellerJsonContext.Default.PropletPage),
            page => page.Total == 2,
            "two live proplets");

        await stop.CancelAsync();
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        return (PropletLine().Match(output.ToString()).Groups[1].Value, exit);
    }

    [GeneratedRegex(@"manager\s+(http://127\.0\.0\.1:\d+/)")]
    private static partial Regex ManagerLine();

    [GeneratedRegex(@"proplets\s+(\S+, \S+)")]
    private static partial Regex PropletLine();
}
