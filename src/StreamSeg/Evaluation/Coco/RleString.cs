namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// COCO's compressed RLE strings (<c>rleToString</c> / <c>rleFrString</c>): from the fourth count on, each count is
/// stored as its difference from the count two places earlier, written as 5-bit groups, least significant first, each
/// as ASCII 48 + group; 0x20 marks a following group and 0x10 of the last group is the sign.
/// </summary>
public static class RleString
{
    /// <summary>Writes the counts of <paramref name="rle"/> as a compressed string (the metadata writer's encoder, <see cref="Sinks.CocoRle"/>).</summary>
    public static string Encode(Rle rle)
    {
        ArgumentNullException.ThrowIfNull(rle);
        uint[] counts = rle.Counts;
        var values = new int[counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            // A run is at most an image's pixel count, far under 2^31.
            values[i] = checked((int)counts[i]);
        }

        return Sinks.CocoRle.ToCompressedString(values);
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
