using System.Globalization;
using System.Text.Json;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Spectre.Console;

namespace Propeller.Cli.Output;

/// <summary>The tables people see for tasks and proplets.</summary>
internal static class Views
{
    public static Table TaskTable(IEnumerable<TaskDto> tasks)
    {
        var table = new Table().AddColumns("ID", "Name", "State", "Proplet", "Results", "Error", "Created");
        foreach (var task in tasks)
        {
            table.AddRow(
                Markup.Escape(task.Id),
                Markup.Escape(task.Name),
                StateMarkup(task.State),
                Markup.Escape(task.PropletId ?? (task.Broadcast ? "(broadcast)" : "")),
                Markup.Escape(Shorten(ResultText(task.Results), 48)),
                Markup.Escape(Shorten(task.Error ?? "", 48)),
                Time(task.CreatedAt));
        }

        return table;
    }

    public static Table PropletTable(IEnumerable<PropletView> proplets)
    {
        var table = new Table().AddColumns("ID", "Name", "Alive", "Tasks", "Last heartbeat", "Host");
        foreach (var proplet in proplets)
        {
            table.AddRow(
                Markup.Escape(proplet.Id),
                Markup.Escape(proplet.Name),
                proplet.Alive ? "[green]yes[/]" : "[red]no[/]",
                proplet.TaskCount.ToString(CultureInfo.InvariantCulture),
                proplet.LastAliveAt is { } at ? Time(at) : "never",
                Markup.Escape(proplet.Metadata?.Hostname ?? ""));
        }

        return table;
    }

    public static string StateMarkup(TaskState state) => state switch
    {
        TaskState.Completed => "[green]Completed[/]",
        TaskState.Failed or TaskState.Interrupted => $"[red]{state}[/]",
        TaskState.Running => "[yellow]Running[/]",
        TaskState.Pending or TaskState.Scheduled or TaskState.Skipped => state.ToString(),
        _ => "Unknown",
    };

    /// <summary>A result as people read it: strings without their JSON quotes, other values as JSON.</summary>
    public static string ResultText(JsonElement? results) => results switch
    {
        null => "",
        { ValueKind: JsonValueKind.String } s => s.GetString() ?? "",
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => "",
        { } other => other.GetRawText(),
    };

    public static string Shorten(string text, int max)
    {
        var oneLine = text.ReplaceLineEndings(" ⏎ ").Trim();
        return oneLine.Length <= max ? oneLine : string.Concat(oneLine.AsSpan(0, max - 1), "…");
    }

    public static string Time(DateTimeOffset time) =>
        time == DateTimeOffset.MinValue ? "" : time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
