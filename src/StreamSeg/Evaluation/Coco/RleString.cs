namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// COCO's compressed RLE strings (<c>rleToString</c> / <c>rleFrString</c>): from the fourth count on, each count is
/// stored as its difference from the count two places earlier, written as 5-bit groups, least significant first, each
/// as ASCII 48 + group; 0x20 marks a following group and 0x10 of the last group is the sign.
/// </summary>
public static class RleString
{
    /// <summary>Writes the counts of <paramref name="rle"/> as a compressed string.</summary>
    public static string Encode(Rle rle)
    {
        ArgumentNullException.ThrowIfNull(rle);
        uint[] counts = rle.Counts;
        var s = new System.Text.StringBuilder(counts.Length * 2);
        for (int i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            if (i > 2)
            {
                x -= counts[i - 2];
            }

            bool more = true;
            while (more)
            {
                int c = (int)(x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more)
                {
                    c |= 0x20;
                }

                s.Append((char)(c + 48));
            }
        }

        return s.ToString();
    }

    /// <summary>Reads a compressed string into an RLE of <paramref name="height"/> × <paramref name="width"/> (counts are not validated, as in pycocotools).</summary>
    public static Rle Decode(string counts, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var values = new uint[counts.Length];
        int m = 0, p = 0;
        while (p < counts.Length)
        {
            long x = 0;
            int k = 0;
            bool more = true;
            while (more)
            {
                if (p >= counts.Length)
                {
                    throw new FormatException("The compressed RLE string ends inside a count.");
                }

                int c = counts[p] - 48;
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0)
                {
                    x |= -1L << (5 * k);
                }
            }

            if (m > 2)
            {
                x += values[m - 2];
            }

            values[m++] = unchecked((uint)x);
        }

        return new Rle(height, width, values.AsSpan(0, m).ToArray());
    }
}
