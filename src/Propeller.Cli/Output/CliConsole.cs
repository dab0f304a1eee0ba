using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Propeller.Cli.Output;

/// <summary>
/// Where a command writes: tables and colours for people, raw JSON with <c>--json</c> for scripts.
/// Errors go to the error stream as <c>error: ...</c>.
/// </summary>
internal sealed class CliConsole
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public CliConsole(TextWriter output, TextWriter error, bool json)
    {
        Out = output;
        Err = error;
        Json = json;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (Console.IsOutputRedirected || !ReferenceEquals(output, Console.Out))
        {
            // Piped or captured output has no terminal width; Spectre would wrap tables at 80 columns.
            Ansi.Profile.Width = 160;
        }
    }

    public TextWriter Out { get; }

    public TextWriter Err { get; }

    public bool Json { get; }

    public IAnsiConsole Ansi { get; }

    public void Write(IRenderable renderable) => Ansi.Write(renderable);

    public void Line(string markup) => Ansi.MarkupLine(markup);

    /// <summary>Prints JSON text: compact with <c>--json</c>, indented otherwise.</summary>
    public void WriteJson(string json)
    {
        if (Json)
        {
            Out.WriteLine(json);
            return;
        }

        using var document = JsonDocument.Parse(json);
        Out.WriteLine(JsonSerializer.Serialize(document.RootElement, Indented));
    }

    public void Ok(string message)
    {
        if (Json)
        {
            Out.WriteLine("{\"ok\":true}");
        }
        else
        {
            Ansi.MarkupLine($"[blue]ok[/] {Markup.Escape(message)}");
        }
    }

    public void Error(string message) => Err.WriteLine("error: " + message);
}
