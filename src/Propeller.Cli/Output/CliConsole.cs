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
    // People read this output: keep '<', '>' and non-ASCII text as they are instead of \u escapes.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public CliConsole(TextWriter output, TextWriter error, bool json)
    {
        Out = output;
        Err = error;
        Json = json;
        // Colours only for a terminal; pipes, files and captured output get plain text (NO_COLOR is honoured).
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var colour = terminal && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = colour ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            // Without a terminal there is no width to read; Spectre would wrap tables at 80 columns.
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
