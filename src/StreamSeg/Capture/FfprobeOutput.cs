using System.Globalization;

namespace StreamSeg.Capture;

/// <summary>Reads what <c>ffprobe -show_entries stream=width,height,avg_frame_rate,r_frame_rate -of csv=p=0</c> prints.</summary>
internal static class FfprobeOutput
{
    /// <summary>Parses the first line: the size (both positive) and the rate (the average, else the base rate; 0 when neither is sane).</summary>
    public static bool TryParse(string stdout, out int width, out int height, out double fps)
    {
        string[] fields = stdout.Trim().Split('\n')[0].Split(',');
        fps = 0;
        if (fields.Length < 2
            || !int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out width)
            || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out height) || width <= 0 || height <= 0)
        {
            width = 0;
            height = 0;
            return false;
        }

        fps = fields.Length > 2 ? ParseRate(fields[2]) : 0;
        if (fps <= 0 && fields.Length > 3)
        {
            fps = ParseRate(fields[3]);
        }

        return true;
    }

    /// <summary>Returns the first line of <paramref name="text"/>, trimmed (ffprobe's reason for a failure).</summary>
    public static string FirstLine(string text)
    {
        string t = text.Trim();
        int nl = t.IndexOf('\n', StringComparison.Ordinal);
        return nl < 0 ? t : t[..nl];
    }

    private static double ParseRate(string rate)
    {
        string[] p = rate.Trim().Split('/');
        if (p.Length == 2 && double.TryParse(p[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double n)
            && double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0)
        {
            double fps = n / d;
            return fps is > 0 and < 1000 ? fps : 0;
        }

        return 0;
    }
}
