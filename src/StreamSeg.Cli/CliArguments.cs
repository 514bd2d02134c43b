using System.Globalization;
using StreamSeg.Configuration;

namespace StreamSeg.Cli;

/// <summary>
/// A small, strict parser for <c>--name value</c>, <c>--name=value</c> and <c>--flag</c> arguments: an unknown
/// option or a missing value is an error that names it.
/// </summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CliArguments(List<string> positional)
    {
        Positional = positional;
    }

    public List<string> Positional { get; }

    /// <summary>Parses <paramref name="args"/>: <paramref name="valued"/> take a value (may repeat), <paramref name="flags"/> do not.</summary>
    public static CliArguments Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags)
    {
        var result = new CliArguments([]);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                result.Positional.Add(arg);
                continue;
            }

            string name = arg;
            string? inline = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                name = arg[..eq];
                inline = arg[(eq + 1)..];
            }

            if (flags.Contains(name))
            {
                if (inline is not null)
                {
                    throw new ConfigException($"Option '{name}' takes no value.");
                }

                result._flags.Add(name);
            }
            else if (valued.Contains(name))
            {
                string value = inline ?? (i + 1 < args.Count ? args[++i] : throw new ConfigException($"Option '{name}' needs a value."));
                if (!result._values.TryGetValue(name, out List<string>? list))
                {
                    list = [];
                    result._values[name] = list;
                }

                list.Add(value);
            }
            else
            {
                throw new ConfigException($"Unknown option '{name}' (see --help).");
            }
        }

        return result;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Value(string name) => _values.TryGetValue(name, out List<string>? v) ? v[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out List<string>? v) ? v : [];

    public float? Float(string name)
    {
        string? v = Value(name);
        if (v is null)
        {
            return null;
        }

        return float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out float f)
            ? f
            : throw new ConfigException($"Option '{name}': '{v}' is not a number.");
    }

    public long? Long(string name)
    {
        string? v = Value(name);
        if (v is null)
        {
            return null;
        }

        return long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)
            ? n
            : throw new ConfigException($"Option '{name}': '{v}' is not a whole number.");
    }
}
