using System.CommandLine;
using Propeller.Cli.Client;
using Propeller.Cli.Output;

namespace Propeller.Cli.Commands;

/// <summary>What a running command needs: its parsed values, a console and a manager client.</summary>
internal sealed class CommandContext(ParseResult parse, CliConsole console)
{
    public ParseResult Parse { get; } = parse;

    public CliConsole Console { get; } = console;

    public T Get<T>(Option<T> option) => Parse.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    public ManagerClient CreateClient()
    {
        var url = Get(GlobalOptions.ManagerUrl);
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var baseAddress))
        {
            throw new ManagerApiException(0, $"'{url}' is not a valid manager URL");
        }

        return new ManagerClient(baseAddress, Parse.GetValue(GlobalOptions.ApiKey));
    }
}
