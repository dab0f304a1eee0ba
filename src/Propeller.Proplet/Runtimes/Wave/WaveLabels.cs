namespace Propeller.Proplet.Runtimes.Wave;

/// <summary>WAVE's keywords: a case, flag or field named like one is written with a leading <c>%</c>.</summary>
internal static class WaveLabels
{
    private static readonly HashSet<string> Keywords =
        new(["true", "false", "some", "none", "ok", "err", "inf", "nan"], StringComparer.Ordinal);

    public static bool IsKeyword(string label) => Keywords.Contains(label);

    public static string Escape(string label) => IsKeyword(label) ? "%" + label : label;
}
