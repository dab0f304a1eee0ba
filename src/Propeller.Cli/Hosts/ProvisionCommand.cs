using System.CommandLine;
using Propeller.Broker.Credentials;
using Propeller.Broker.Provisioning;
using Propeller.Cli.Commands;
using Spectre.Console;

namespace Propeller.Cli.Hosts;

/// <summary>
/// <c>propeller provision</c>: creates tenant, channel and the manager, proplet and proxy entities in the broker's
/// credential store and writes <c>config.toml</c> in the original format. <c>add-proplets</c> and <c>add-proxy</c>
/// extend an existing file.
/// </summary>
internal static class ProvisionCommand
{
    public static Command Build()
    {
        var file = new Option<string>("--file", "-f") { Description = "config.toml to write", DefaultValueFactory = _ => "config.toml", Recursive = true };
        var credentials = new Option<string>("--credentials") { Description = "Broker credential store", DefaultValueFactory = _ => BrokerCommand.DefaultCredentialsPath, Recursive = true };
        var tenant = new Option<string?>("--tenant") { Description = "Tenant name (default: random)" };
        var channel = new Option<string?>("--channel") { Description = "Channel name (default: random)" };
        var proplets = new Option<int>("--proplets") { Description = "Number of proplets", DefaultValueFactory = _ => 1 };
        var noProxy = new Option<bool>("--no-proxy") { Description = "Do not create a proxy entity" };
        var command = new Command("provision", "Create credentials for a manager, proplets and a proxy, and write config.toml")
        {
            file, credentials, tenant, channel, proplets, noProxy,
        };
        command.SetAction((ctx, ct) =>
        {
            var store = OpenStore(ctx.Get(credentials));
            var result = Provisioner.Provision(store, ctx.Get(tenant), ctx.Get(channel), ctx.Get(proplets), proxy: !ctx.Get(noProxy));
            ConfigTomlWriter.Write(ctx.Get(file), result);
            ctx.Console.Line($"[green]Provisioned[/] tenant {Markup.Escape(result.Tenant.Name)}, channel {Markup.Escape(result.Channel.Name)}, 1 manager, {result.Proplets.Count} proplet(s){(result.Proxy is null ? "" : ", 1 proxy")} → {Markup.Escape(ctx.Get(file))}");
            return Task.FromResult(CommandRunner.Success);
        });

        var count = new Option<int>("--count", "-n") { Description = "How many proplets to add", DefaultValueFactory = _ => 1 };
        var addProplets = new Command("add-proplets", "Add proplets to an existing config.toml (sections inserted before [proxy])") { count };
        addProplets.SetAction((ctx, ct) =>
        {
            var result = Provisioner.AddProplets(OpenStore(ctx.Get(credentials)), ctx.Get(file), ctx.Get(count));
            ctx.Console.Line($"[green]Added {result.Added.Count} proplet(s) to {Markup.Escape(ctx.Get(file))} (total: {result.Total})[/]");
            return Task.FromResult(CommandRunner.Success);
        });
        command.Add(addProplets);

        var addProxy = new Command("add-proxy", "Create a new proxy entity and replace the [proxy] section");
        addProxy.SetAction((ctx, ct) =>
        {
            var section = Provisioner.ReplaceProxy(OpenStore(ctx.Get(credentials)), ctx.Get(file));
            ctx.Console.Line($"[green]Replaced [[proxy]] in {Markup.Escape(ctx.Get(file))} with entity {Markup.Escape(section.EntityId)}[/]");
            return Task.FromResult(CommandRunner.Success);
        });
        command.Add(addProxy);
        return command;
    }

    private static CredentialStore OpenStore(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
        {
            Directory.CreateDirectory(dir);
        }

        return CredentialStore.Open(path);
    }
}
