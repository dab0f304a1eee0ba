using Propeller.Cli;
using Propeller.Testing;

namespace Propeller.Cli.Tests.Commands;

public sealed class ExitCodeTests
{
    [Theory]
    [InlineData("tasks", "list")]
    [InlineData("tasks", "view", "abc")]
    [InlineData("proplets", "list")]
    [InlineData("health")]
    public async Task Run_ManagerUnreachable_ExitsNonZeroWithError(params string[] command)
    {
        var port = FreePort.Next();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync([.. command, "--manager-url", $"http://127.0.0.1:{port}"], output, error);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: cannot reach the manager", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownCommand_ExitsNonZero()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["no-such-command"], output, error);

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public async Task Run_BadEnvPair_ExitsNonZeroWithoutCallingTheManager()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["tasks", "create", "add", "--env", "broken", "--manager-url", "http://127.0.0.1:1"], output, error);

        Assert.Equal(1, exit);
        Assert.Contains("'broken' is not of the form KEY=VALUE", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidWatFile_ExitsNonZeroWithTheCompilerMessage()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.wat");
        await File.WriteAllTextAsync(file, "(module (func $oops (i32.bogus)))");
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exit = await CliApp.RunAsync(["tasks", "create", "x", "--file", file, "--manager-url", "http://127.0.0.1:1"], output, error);

            Assert.Equal(1, exit);
            Assert.Contains("Invalid WebAssembly text", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
