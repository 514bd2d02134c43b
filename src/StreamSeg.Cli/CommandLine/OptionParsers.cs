using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace StreamSeg.Cli.CommandLine;

/// <summary>
/// Options that take one value: numbers parsed with the invariant culture (a bad value is refused with a message that
/// names the option), and text. Given twice, the last value wins, as it always has (./run.sh appends the user's
/// arguments after its own, so that they override).
/// </summary>
internal static class OptionParsers
{
    /// <summary>Creates an option taking one text value.</summary>
    public static Option<string> Text(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        CustomParser = static r => r.Tokens[^1].Value,
    };

    /// <summary>Creates an option taking a number (<c>0.5</c>, <c>1e-3</c>).</summary>
    public static Option<float> Float(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        CustomParser = r => Parse(r, name, "a number", static (string s, out float v) => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v)),
    };

    /// <summary>Creates an option taking a whole number that fits an <see cref="int"/>.</summary>
    public static Option<int> Int(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        CustomParser = r => Parse(r, name, "a whole number", static (string s, out int v) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v)),
    };

    /// <summary>Creates an option taking a whole number.</summary>
    public static Option<long> Long(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        CustomParser = r => Parse(r, name, "a whole number", static (string s, out long v) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v)),
    };

    private delegate bool TryParser<T>(string text, out T value);

    private static T Parse<T>(ArgumentResult result, string name, string expected, TryParser<T> tryParse)
        where T : struct
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (tryParse(text, out T value))
        {
            return value;
        }

        result.AddError($"Option '{name}': '{text}' is not {expected}.");
        return default;
    }
}
