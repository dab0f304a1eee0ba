using System.Globalization;

namespace Propeller.FleetSim;

/// <summary><c>--name value</c> pairs of the command line.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values;

    private Arguments(Dictionary<string, string> values) => _values = values;

    public static Arguments Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || !e.MoveNext())
            {
                throw new ArgumentException($"expected --option value, got '{name}'");
            }

            values[name[2..]] = e.Current;
        }

        return new Arguments(values);
    }

    public int Int(string name, int fallback, int min, int max)
    {
        if (!_values.Remove(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"--{name} must be an integer between {min} and {max}, not '{text}'");
    }

    public IReadOnlyList<int> IntList(string name, IReadOnlyList<int> fallback, int min, int max)
    {
        if (!_values.Remove(name, out var text))
        {
            return fallback;
        }

        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            list.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw new ArgumentException($"--{name} takes integers between {min} and {max}, not '{part}'"));
        }

        return list.Count > 0 ? list : throw new ArgumentException($"--{name} needs at least one value");
    }

    public string Text(string name, string fallback, params string[] allowed)
    {
        if (!_values.Remove(name, out var text))
        {
            return fallback;
        }

        return allowed.Contains(text, StringComparer.Ordinal)
            ? text
            : throw new ArgumentException($"--{name} must be one of {string.Join(", ", allowed)}, not '{text}'");
    }

    /// <summary>Fails on options no setting asked for (a typo should not run a long benchmark with defaults).</summary>
    public void ThrowIfUnused()
    {
        if (_values.Count > 0)
        {
            throw new ArgumentException($"unknown option(s): {string.Join(", ", _values.Keys.Select(k => "--" + k))}");
        }
    }
}
