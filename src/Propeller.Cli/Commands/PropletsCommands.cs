using System.CommandLine;
using System.Text.Json;
using Propeller.Cli.Output;
using Propeller.Contracts.Serialization;

namespace Propeller.Cli.Commands;

/// <summary><c>propeller proplets ...</c>.</summary>
internal static class PropletsCommands
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    public static Command Build()
    {
        var proplets = new Command("proplets", "Inspect and remove workers") { GlobalOptions.Offset, GlobalOptions.Limit };
        proplets.Add(List());
        proplets.Add(View());
        proplets.Add(Delete());
        proplets.Add(AliveHistory());
        proplets.Add(Metrics());
        return proplets;
    }

    private static Argument<string> IdArgument() => new("id") { Description = "Proplet ID" };

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "active or inactive" };
        status.AcceptOnlyFromAmong("active", "inactive");
        var command = new Command("list", "List proplets") { status };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var page = await client.ListPropletsAsync(ctx.Get(GlobalOptions.Offset), ctx.Get(GlobalOptions.Limit), ctx.Get(status), ct);
            if (ctx.Console.Json)
            {
                ctx.Console.WriteJson(JsonSerializer.Serialize(page, Json.PropletPage));
                return;
            }

            ctx.Console.Write(Views.PropletTable(page.Proplets));
            ctx.Console.Line($"{page.Proplets.Count} of {page.Total} proplet(s)");
        });
        return command;
    }

    private static Command View()
    {
        var id = IdArgument();
        var command = new Command("view", "Show one proplet") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            ctx.Console.WriteJson(JsonSerializer.Serialize(await client.GetPropletAsync(ctx.Get(id), ct), Json.PropletView));
        });
        return command;
    }

    private static Command Delete()
    {
        var id = IdArgument();
        var command = new Command("delete", "Forget a proplet (refused while it has tasks)") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            await client.DeletePropletAsync(ctx.Get(id), ct);
            ctx.Console.Ok("deleted");
        });
        return command;
    }

    private static Command AliveHistory()
    {
        var id = IdArgument();
        var command = new Command("alive-history", "Show a proplet's last heartbeats") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var page = await client.GetAliveHistoryAsync(ctx.Get(id), ctx.Get(GlobalOptions.Offset), ctx.Get(GlobalOptions.Limit), ct);
            ctx.Console.WriteJson(JsonSerializer.Serialize(page, Json.AliveHistoryPage));
        });
        return command;
    }

    private static Command Metrics()
    {
        var id = IdArgument();
        var command = new Command("metrics", "Show a proplet's CPU and memory samples") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var page = await client.GetPropletMetricsAsync(ctx.Get(id), ctx.Get(GlobalOptions.Offset), ctx.Get(GlobalOptions.Limit), ct);
            ctx.Console.WriteJson(JsonSerializer.Serialize(page, Json.PropletMetricsPage));
        });
        return command;
    }
}
