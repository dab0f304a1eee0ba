using System.Text.RegularExpressions;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// Condenses a Wasmtime error into one line: Wasmtime reports "context\n\nCaused by:\n    0: a\n    1: b" with a
/// wasm backtrace in the context, and the manager shows the error text to an operator.
/// </summary>
internal static partial class WasmtimeErrorText
{
    private const string CausedBy = "\n\nCaused by:\n";
    private const string BacktraceContext = "error while executing at wasm backtrace:";

    public static string Of(Exception exception)
    {
        var message = exception.Message.Trim();
        var split = message.IndexOf(CausedBy, StringComparison.Ordinal);
        if (split < 0)
        {
            return message;
        }

        var parts = new List<string>();
        var head = message[..split];
        if (!head.StartsWith(BacktraceContext, StringComparison.Ordinal))
        {
            parts.Add(head.Trim());
        }

        foreach (var line in message[(split + CausedBy.Length)..].Split('\n'))
        {
            var cause = CauseNumber().Replace(line, string.Empty).Trim();
            if (cause.Length > 0)
            {
                parts.Add(cause);
            }
        }

        return string.Join(": ", parts);
    }

    [GeneratedRegex(@"^\s*\d+:\s")]
    private static partial Regex CauseNumber();
}
