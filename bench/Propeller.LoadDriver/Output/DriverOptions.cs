using System.Globalization;

namespace Propeller.LoadDriver.Output;

/// <summary>The <c>--name value</c> pairs after a command; unknown names are a usage error, not silently ignored.</summary>
internal sealed class DriverOptions
{
    private readonly Dictionary<string, string> _values;

    private DriverOptions(Dictionary<string, string> values) => _values = values;

    public static DriverOptions Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> known)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || !known.Contains(name[2..]))
            {
                throw new UsageException($"unknown option '{name}'; known: {string.Join(", ", known.Select(k => "--" + k))}");
            }

            if (i + 1 >= args.Count)
            {
                throw new UsageException($"{name} needs a value");
            }

            values[name[2..]] = args[++i];
        }

        return new DriverOptions(values);
    }

    public int Int(string name, int fallback, int min)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new UsageException($"--{name} must be an integer >= {min}, not '{text}'");
    }

    public IReadOnlyList<int> Ints(string name, IReadOnlyList<int> fallback, int min)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            list.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
                ? value
                : throw new UsageException($"--{name} must be a comma-separated list of integers >= {min}, not '{text}'"));
        }

        return list.Count > 0 ? list : throw new UsageException($"--{name} is empty");
    }

    public string Choice(string name, string fallback, params string[] allowed)
    {
        var value = _values.GetValueOrDefault(name, fallback);
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new UsageException($"--{name} must be one of {string.Join("|", allowed)}, not '{value}'");
    }
}
