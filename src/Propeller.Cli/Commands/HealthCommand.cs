using System.CommandLine;
using System.Text.Json;
using Propeller.Contracts.Serialization;

namespace Propeller.Cli.Commands;

/// <summary><c>propeller health</c>: the manager's health document.</summary>
internal static class HealthCommand
{
    public static Command Build()
    {
        var command = new Command("health", "Check that the manager answers");
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var health = await client.GetHealthAsync(ct);
            ctx.Console.WriteJson(JsonSerializer.Serialize(health, PropellerJsonContext.Default.HealthResponse));
        });
        return command;
    }
}
