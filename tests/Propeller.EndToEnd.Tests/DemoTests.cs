using Propeller.Cli;
using Propeller.Testing;

namespace Propeller.EndToEnd.Tests;

/// <summary><c>propeller demo</c> runs the same code path a new user runs after cloning.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_FreshStack_PrintsEveryWorkloadAndExitsZero()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["demo", "--examples", RepoPaths.Examples], output, error);

        var text = output.ToString();
        Assert.True(exit == 0, $"demo exited {exit}\n{text}\n{error}");
        Assert.Contains("add(10,20)", text, StringComparison.Ordinal);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(text, @"Completed\W+30\W"), text);
        Assert.Contains("\"Hello, world!\"", text, StringComparison.Ordinal);
        Assert.Contains("\"Hello, latent!\"", text, StringComparison.Ordinal);
        Assert.Contains("Hello from Propeller!", text, StringComparison.Ordinal);
        Assert.Contains("PROPLET_ID=", text, StringComparison.Ordinal);
        Assert.Contains("Task was cancelled or panicked", text, StringComparison.Ordinal);
        Assert.Contains("All workloads ran as expected.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_Json_ReportsEveryRowOk()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["demo", "--json", "--examples", RepoPaths.Examples], output, error);

        Assert.Equal(0, exit);
        using var document = System.Text.Json.JsonDocument.Parse(output.ToString());
        var rows = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(7, rows.Count);
        Assert.All(rows, r => Assert.True(r.GetProperty("ok").GetBoolean()));
        Assert.Equal("30", rows[0].GetProperty("result").GetString());
        Assert.Equal("add(10,20) · over HTTP", rows[1].GetProperty("workload").GetString());
        Assert.Equal("30", rows[1].GetProperty("result").GetString());
        var workflow = rows.Single(r => r.GetProperty("workload").GetString()!.StartsWith("workflow", StringComparison.Ordinal));
        Assert.StartsWith("3 → 7 → ", workflow.GetProperty("result").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_MissingExamples_ExitsNonZero()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["demo", "--examples", Path.Combine(Path.GetTempPath(), "no-such-examples")], output, error);

        Assert.NotEqual(0, exit);
        Assert.Contains("error:", error.ToString(), StringComparison.Ordinal);
    }
}
