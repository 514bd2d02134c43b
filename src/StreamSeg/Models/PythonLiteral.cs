using System.Globalization;
using System.Text;

namespace StreamSeg.Models;

/// <summary>
/// Parses the small Python-literal grammar Ultralytics writes into ONNX metadata (each value is Python's
/// <c>str()</c> of the object): dicts such as <c>{0: 'person', 1: "o'clock"}</c>, lists and tuples such as
/// <c>[640, 640]</c>, ints, floats, strings (single or double quoted, with backslash escapes), <c>True</c>,
/// <c>False</c> and <c>None</c>.
/// </summary>
/// <remarks>
/// Values come back as <see cref="Dictionary{TKey,TValue}"/> of object to object (insertion order kept),
/// <see cref="List{T}"/> of object (lists and tuples), <see cref="long"/>, <see cref="double"/>, <see cref="string"/>,
/// <see cref="bool"/> or null. Every error is a <see cref="FormatException"/> that names the metadata key, the
/// position and the text.
/// </remarks>
public static class PythonLiteral
{
    /// <summary>Parses one literal; <paramref name="key"/> names the metadata entry in error messages.</summary>
    public static object? Parse(string text, string key)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(key);
        var parser = new Parser(text, key);
        object? value = parser.ParseValue();
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            throw parser.Error("unexpected text after the value");
        }

        return value;
    }

    /// <summary>
    /// Parses class names: a dict <c>{id: 'name', …}</c> with int keys, or a list <c>['name', …]</c>. The result is
    /// indexed by class id; ids missing from a dict get their number as name.
    /// </summary>
    public static string[] ParseNames(string text, string key = "names")
    {
        object? value = Parse(text, key);
        if (value is List<object?> list)
        {
            var names = new string[list.Count];
            for (int i = 0; i < list.Count; i++)
            {
                names[i] = list[i] as string ?? throw Fail(key, text, $"item {i} is not a string");
            }

            return names;
        }

        if (value is not Dictionary<object, object?> dict)
        {
            throw Fail(key, text, "expected a dict {id: 'name', ...} or a list ['name', ...]");
        }

        long max = -1;
        foreach (KeyValuePair<object, object?> pair in dict)
        {
            if (pair.Key is not long id || id < 0 || id > 100_000)
            {
                throw Fail(key, text, $"key {pair.Key} is not a class id (a non-negative int)");
            }

            if (pair.Value is not string)
            {
                throw Fail(key, text, $"the name of class {id} is not a string");
            }

            max = Math.Max(max, id);
        }

        var result = new string[max + 1];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = i.ToString(CultureInfo.InvariantCulture);
        }

        foreach (KeyValuePair<object, object?> pair in dict)
        {
            result[(long)pair.Key] = (string)pair.Value!;
        }

        return result;
    }

    /// <summary>Parses a list or tuple of ints such as <c>[640, 640]</c>; a single int gives a one-item array.</summary>
    public static int[] ParseIntList(string text, string key)
    {
        object? value = Parse(text, key);
        if (value is long single)
        {
            return [ToInt(single, key, text)];
        }

        if (value is not List<object?> list)
        {
            throw Fail(key, text, "expected a list of ints such as [640, 640]");
        }

        var result = new int[list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            result[i] = list[i] is long v ? ToInt(v, key, text) : throw Fail(key, text, $"item {i} is not an int");
        }

        return result;
    }

    /// <summary>Parses a single int such as <c>32</c>.</summary>
    public static int ParseInt(string text, string key) =>
        Parse(text, key) is long v ? ToInt(v, key, text) : throw Fail(key, text, "expected an int");

    private static int ToInt(long v, string key, string text) =>
        v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Fail(key, text, $"{v} does not fit in an int");

    private static FormatException Fail(string key, string text, string what) =>
        new($"Model metadata '{key}': {what}; got {Shorten(text)}.");

    private static string Shorten(string text) => text.Length <= 200 ? "\"" + text + "\"" : "\"" + text[..200] + "…\"";

    private sealed class Parser(string text, string key)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public FormatException Error(string what) =>
            new($"Model metadata '{key}': {what} at position {_pos}; got {Shorten(text)}.");

        public void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        public object? ParseValue()
        {
            SkipSpace();
            if (AtEnd)
            {
                throw Error("unexpected end of text");
            }

            char c = text[_pos];
            switch (c)
            {
                case '{':
                    return ParseDict();
                case '[':
                    return ParseSequence(']');
                case '(':
                    return ParseSequence(')');
                case '\'':
                case '"':
                    return ParseString();
                default:
                    if (c == '-' || c == '+' || c == '.' || char.IsAsciiDigit(c))
                    {
                        return ParseNumber();
                    }

                    if (char.IsAsciiLetter(c))
                    {
                        return ParseWord();
                    }

                    throw Error($"unexpected character '{c}'");
            }
        }

        private Dictionary<object, object?> ParseDict()
        {
            var dict = new Dictionary<object, object?>();
            _pos++;
            SkipSpace();
            if (TryConsume('}'))
            {
                return dict;
            }

            while (true)
            {
                int keyPos = _pos;
                object? k = ParseValue();
                if (k is null or List<object?> or Dictionary<object, object?>)
                {
                    _pos = keyPos;
                    throw Error("dict key must be an int, float, bool or string");
                }

                SkipSpace();
                Expect(':');
                object? v = ParseValue();
                if (!dict.TryAdd(k, v))
                {
                    _pos = keyPos;
                    throw Error($"duplicate dict key {k}");
                }

                SkipSpace();
                if (TryConsume('}'))
                {
                    return dict;
                }

                Expect(',');
                SkipSpace();
                if (TryConsume('}'))
                {
                    return dict;
                }
            }
        }

        private List<object?> ParseSequence(char close)
        {
            var list = new List<object?>();
            _pos++;
            SkipSpace();
            if (TryConsume(close))
            {
                return list;
            }

            while (true)
            {
                list.Add(ParseValue());
                SkipSpace();
                if (TryConsume(close))
                {
                    return list;
                }

                Expect(',');
                SkipSpace();
                if (TryConsume(close))
                {
                    return list;
                }
            }
        }

        private string ParseString()
        {
            char quote = text[_pos++];
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("unterminated string");
                }

                char c = text[_pos++];
                if (c == quote)
                {
                    return sb.ToString();
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }

                if (AtEnd)
                {
                    throw Error("unterminated escape");
                }

                char e = text[_pos++];
                switch (e)
                {
                    case '\\': sb.Append('\\'); break;
                    case '\'': sb.Append('\''); break;
                    case '"': sb.Append('"'); break;
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'x': sb.Append(ReadHex(2)); break;
                    case 'u': sb.Append(ReadHex(4)); break;
                    case 'U': sb.Append(char.ConvertFromUtf32(ReadHexValue(8))); break;
                    default:
                        // Python keeps unknown escapes verbatim.
                        sb.Append('\\').Append(e);
                        break;
                }
            }
        }

        private char ReadHex(int digits) => (char)ReadHexValue(digits);

        private int ReadHexValue(int digits)
        {
            if (_pos + digits > text.Length ||
                !int.TryParse(text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v))
            {
                throw Error($"bad \\x/\\u escape (expected {digits} hex digits)");
            }

            _pos += digits;
            return v;
        }

        private object ParseNumber()
        {
            int start = _pos;
            if (text[_pos] is '-' or '+')
            {
                _pos++;
            }

            bool isFloat = false;
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (char.IsAsciiDigit(c) || c == '_')
                {
                    _pos++;
                }
                else if (c is '.' or 'e' or 'E' || (c is '-' or '+' && text[_pos - 1] is 'e' or 'E'))
                {
                    isFloat = true;
                    _pos++;
                }
                else
                {
                    break;
                }
            }

            string s = text[start.._pos].Replace("_", string.Empty, StringComparison.Ordinal);
            if (!isFloat && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
            {
                return l;
            }

            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            {
                return d;
            }

            _pos = start;
            throw Error($"bad number '{s}'");
        }

        private object? ParseWord()
        {
            int start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
            {
                _pos++;
            }

            string word = text[start.._pos];
            switch (word)
            {
                case "True": return true;
                case "False": return false;
                case "None": return null;
                case "inf": return double.PositiveInfinity;
                case "nan": return double.NaN;
                default:
                    _pos = start;
                    throw Error($"unexpected name '{word}' (only True, False and None are literals)");
            }
        }

        private bool TryConsume(char c)
        {
            if (_pos < text.Length && text[_pos] == c)
            {
                _pos++;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw Error(AtEnd ? $"expected '{c}' but the text ended" : $"expected '{c}' but found '{text[_pos]}'");
            }
        }
    }
}
