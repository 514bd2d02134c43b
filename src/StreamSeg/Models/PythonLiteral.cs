using System.Globalization;
using System.Text;

namespace StreamSeg.Models;

/// <summary>
/// Reads the two Python literal shapes Ultralytics writes into ONNX metadata (each value is Python's <c>str()</c> of
/// the object, ultralytics/engine/exporter.py): the class names, a dict of int to str such as
/// <c>{0: 'person', 1: "o'clock"}</c>, and <c>imgsz</c> / <c>kpt_shape</c>, lists of ints such as <c>[640, 640]</c>.
/// </summary>
/// <remarks>
/// Only what <c>str()</c> of those objects produces is accepted: spaces between tokens, strings in either quote with
/// the escapes of Python's <c>repr</c> (<c>\\ \' \" \n \r \t \xhh \uhhhh \Uhhhhhhhh</c>) and optionally signed ints.
/// Anything else is a <see cref="FormatException"/> that names the metadata key, the position and the text.
/// </remarks>
public static class PythonLiteral
{
    // Class ids above this are taken for a corrupt entry rather than a real model's classes.
    private const int MaxClassId = 100_000;

    /// <summary>
    /// Parses class names <c>{id: 'name', …}</c> into an array indexed by class id; ids missing from the dict get their
    /// number as name.
    /// </summary>
    public static string[] ParseNames(string text, string key = "names")
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new Reader(text, key);
        var names = new Dictionary<int, string>();
        int max = -1;
        reader.Open('{');
        while (reader.NextItem('}'))
        {
            int idPosition = reader.Position;
            int id = reader.ReadInt();
            if (id is < 0 or > MaxClassId)
            {
                throw reader.Error($"{id} is not a class id", idPosition);
            }

            reader.Expect(':');
            if (!names.TryAdd(id, reader.ReadString()))
            {
                throw reader.Error($"duplicate class id {id}", idPosition);
            }

            max = Math.Max(max, id);
        }

        reader.End();
        var result = new string[max + 1];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = names.TryGetValue(i, out string? name) ? name : i.ToString(CultureInfo.InvariantCulture);
        }

        return result;
    }

    /// <summary>Parses a list of ints such as <c>[640, 640]</c>.</summary>
    public static int[] ParseIntList(string text, string key)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(key);
        var reader = new Reader(text, key);
        var values = new List<int>(2);
        reader.Open('[');
        while (reader.NextItem(']'))
        {
            values.Add(reader.ReadInt());
        }

        reader.End();
        return [.. values];
    }

    /// <summary>A cursor over one metadata value; every read skips the spaces before its token.</summary>
    private sealed class Reader(string text, string key)
    {
        private bool _first = true;

        public int Position { get; private set; }

        public FormatException Error(string what, int? at = null)
        {
            string shown = text.Length <= 200 ? text : text[..200] + "…";
            return new FormatException($"Model metadata '{key}': {what} at position {at ?? Position}; got \"{shown}\".");
        }

        /// <summary>Reads the opening bracket of the value.</summary>
        public void Open(char open) => Expect(open);

        /// <summary>Gets whether another item follows (reading the comma before it), or reads the closing bracket.</summary>
        public bool NextItem(char close)
        {
            SkipSpace();
            if (TryConsume(close))
            {
                return false;
            }

            if (!_first)
            {
                Expect(',');
            }

            _first = false;
            return true;
        }

        /// <summary>Checks that nothing but spaces follows the value.</summary>
        public void End()
        {
            SkipSpace();
            if (Position < text.Length)
            {
                throw Error("unexpected text after the value");
            }
        }

        public void Expect(char c)
        {
            SkipSpace();
            if (!TryConsume(c))
            {
                throw Error(Position >= text.Length ? $"expected '{c}' but the text ended" : $"expected '{c}' but found '{text[Position]}'");
            }
        }

        public int ReadInt()
        {
            SkipSpace();
            int start = Position;
            if (Position < text.Length && text[Position] is '-' or '+')
            {
                Position++;
            }

            while (Position < text.Length && char.IsAsciiDigit(text[Position]))
            {
                Position++;
            }

            if (!int.TryParse(text.AsSpan(start, Position - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            {
                throw Error(Position == start ? "expected an int" : $"'{text[start..Position]}' is not an int", start);
            }

            return value;
        }

        public string ReadString()
        {
            SkipSpace();
            if (Position >= text.Length || text[Position] is not ('\'' or '"'))
            {
                throw Error("expected a quoted string");
            }

            char quote = text[Position++];
            var sb = new StringBuilder();
            while (Position < text.Length)
            {
                char c = text[Position++];
                if (c == quote)
                {
                    return sb.ToString();
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }

                char e = Position < text.Length ? text[Position++] : throw Error("unterminated escape");
                switch (e)
                {
                    case '\\' or '\'' or '"': sb.Append(e); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'x': sb.Append((char)ReadHex(2)); break;
                    case 'u': sb.Append((char)ReadHex(4)); break;
                    case 'U': sb.Append(char.ConvertFromUtf32(ReadHex(8))); break;
                    default: throw Error($"unexpected escape '\\{e}'", Position - 2);
                }
            }

            throw Error("unterminated string");
        }

        private int ReadHex(int digits)
        {
            if (Position + digits > text.Length ||
                !int.TryParse(text.AsSpan(Position, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v))
            {
                throw Error($"bad escape (expected {digits} hex digits)");
            }

            Position += digits;
            return v;
        }

        private void SkipSpace()
        {
            while (Position < text.Length && char.IsWhiteSpace(text[Position]))
            {
                Position++;
            }
        }

        private bool TryConsume(char c)
        {
            if (Position < text.Length && text[Position] == c)
            {
                Position++;
                return true;
            }

            return false;
        }
    }
}
