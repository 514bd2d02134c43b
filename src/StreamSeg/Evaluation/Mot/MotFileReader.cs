using System.Globalization;

namespace StreamSeg.Evaluation.Mot;

/// <summary>Reads MOTChallenge text files (comma-, tab- or space-separated, one box per line).</summary>
public static class MotFileReader
{
    private static readonly char[] s_separators = [',', ' ', '\t'];

    /// <summary>Reads every row of <paramref name="path"/> in file order.</summary>
    /// <exception cref="FormatException">A line has fewer than 6 fields or a field is not a number.</exception>
    public static List<MotDetection> Read(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Reads every row from <paramref name="reader"/>; <paramref name="name"/> names the source in errors.</summary>
    public static List<MotDetection> Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rows = new List<MotDetection>();
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string[] f = line.Split(s_separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (f.Length < 6)
            {
                throw new FormatException($"{name}:{lineNumber}: expected at least 6 fields (frame, id, left, top, width, height), found {f.Length}.");
            }

            rows.Add(new MotDetection(
                ToInt(f[0], name, lineNumber),
                ToInt(f[1], name, lineNumber),
                ToDouble(f[2], name, lineNumber),
                ToDouble(f[3], name, lineNumber),
                ToDouble(f[4], name, lineNumber),
                ToDouble(f[5], name, lineNumber),
                f.Length > 6 ? ToDouble(f[6], name, lineNumber) : 1.0,
                f.Length > 7 ? ToDouble(f[7], name, lineNumber) : -1.0));
        }

        return rows;
    }

    private static double ToDouble(string s, string name, int line)
        => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new FormatException($"{name}:{line}: '{s}' is not a number.");

    // Frame and id columns are integers, but some tools write them as "12.000".
    private static int ToInt(string s, string name, int line)
    {
        double v = ToDouble(s, name, line);
        return v == Math.Floor(v) && v is >= int.MinValue and <= int.MaxValue
            ? (int)v
            : throw new FormatException($"{name}:{line}: '{s}' is not an integer.");
    }
}
