using System.CommandLine;

namespace Propeller.Cli.Commands;

/// <summary>Options every client command understands.</summary>
internal static class GlobalOptions
{
    public const string DefaultManagerUrl = "http://localhost:7070";

    public static readonly Option<string> ManagerUrl = new("--manager-url", "-m")
    {
        Description = "Manager base URL (env PROPELLER_MANAGER_URL)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PROPELLER_MANAGER_URL") is { Length: > 0 } url ? url : DefaultManagerUrl,
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "API key sent as 'Authorization: Bearer <key>' (env PROPELLER_API_KEY)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PROPELLER_API_KEY"),
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON instead of tables",
        Recursive = true,
    };

    public static readonly Option<ulong> Offset = new("--offset", "-o") { Description = "Items to skip", Recursive = true };

    public static readonly Option<ulong> Limit = new("--limit", "-l")
    {
        Description = "Items per page",
        Recursive = true,
        DefaultValueFactory = _ => 10,
    };
}
