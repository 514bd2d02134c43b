using System.Runtime.InteropServices;
using System.Text;
using StreamSeg.Decode;

namespace StreamSeg.Sinks;

/// <summary>
/// COCO run-length encoding of binary masks, as pycocotools' <c>maskApi.c</c> does it: the full frame is scanned in
/// column-major (Fortran) order, so pixel (x, y) has index x·h + y, and <c>counts</c> alternates run lengths
/// starting with a run of zeros (which may be 0). The compressed string form is <c>rleToString</c>'s.
/// </summary>
public static class CocoRle
{
    /// <summary>Encodes <paramref name="mask"/>, placed in a <paramref name="frameWidth"/>×<paramref name="frameHeight"/> frame, to uncompressed counts.</summary>
    public static int[] Encode(InstanceMask mask, int frameWidth, int frameHeight)
    {
        var counts = new List<int>();
        Encode(mask, frameWidth, frameHeight, counts);
        return [.. counts];
    }

    /// <summary>
    /// Encodes <paramref name="mask"/>, placed in a <paramref name="frameWidth"/>×<paramref name="frameHeight"/> frame,
    /// into <paramref name="counts"/> (cleared first), so that a caller can reuse one list for every mask. The parts
    /// of the crop outside the frame are ignored.
    /// </summary>
    public static void Encode(InstanceMask mask, int frameWidth, int frameHeight, List<int> counts)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfNegative(frameWidth);
        ArgumentOutOfRangeException.ThrowIfNegative(frameHeight);
        counts.Clear();

        // The crop clipped to the frame; every pixel outside it is 0.
        int cx0 = Math.Max(0, mask.X);
        int cy0 = Math.Max(0, mask.Y);
        int cx1 = Math.Min(frameWidth, mask.X + mask.Width);
        int cy1 = Math.Min(frameHeight, mask.Y + mask.Height);
        var runs = new RunBuilder(counts);
        if (cx0 >= cx1 || cy0 >= cy1)
        {
            runs.Add(0, (long)frameWidth * frameHeight);
            runs.Finish();
            return;
        }

        ReadOnlySpan<byte> data = mask.Data;
        int mw = mask.Width;
        runs.Add(0, (long)cx0 * frameHeight);
        for (int x = cx0; x < cx1; x++)
        {
            runs.Add(0, cy0);
            int index = ((cy0 - mask.Y) * mw) + (x - mask.X);
            for (int y = cy0; y < cy1; y++, index += mw)
            {
                runs.Add(data[index] != 0 ? 1 : 0, 1);
            }

            runs.Add(0, frameHeight - cy1);
        }

        runs.Add(0, (long)(frameWidth - cx1) * frameHeight);
        runs.Finish();
    }

    /// <summary>Encodes a full-frame mask given row-major (<paramref name="height"/> rows of <paramref name="width"/>, nonzero = inside).</summary>
    public static int[] Encode(ReadOnlySpan<byte> rowMajor, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (rowMajor.Length != width * height)
        {
            throw new ArgumentException($"Mask has {rowMajor.Length} bytes; expected {width}×{height} = {width * height}.", nameof(rowMajor));
        }

        var counts = new List<int>();
        var runs = new RunBuilder(counts);
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                runs.Add(rowMajor[(y * width) + x] != 0 ? 1 : 0, 1);
            }
        }

        runs.Finish();
        return [.. counts];
    }

    /// <summary>Decodes uncompressed counts to a row-major mask of <paramref name="height"/>×<paramref name="width"/> bytes (1 inside, 0 outside).</summary>
    public static byte[] Decode(ReadOnlySpan<int> counts, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        long total = (long)width * height;
        var mask = new byte[total];
        long position = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            int run = counts[i];
            if (run < 0 || position + run > total)
            {
                throw new FormatException($"RLE counts do not fit a {height}×{width} mask (count {i} = {run} at pixel {position}).");
            }

            if ((i & 1) == 1)
            {
                for (long p = position; p < position + run; p++)
                {
                    // Column-major index p = x·h + y.
                    long x = p / height;
                    long y = p - (x * height);
                    mask[(y * width) + x] = 1;
                }
            }

            position += run;
        }

        if (position != total)
        {
            throw new FormatException($"RLE counts cover {position} pixels; a {height}×{width} mask has {total}.");
        }

        return mask;
    }

    /// <summary>Encodes counts to COCO's compressed ASCII form (pycocotools <c>rleToString</c>).</summary>
    public static string ToCompressedString(ReadOnlySpan<int> counts)
    {
        byte[] buffer = new byte[MaxCompressedLength(counts.Length)];
        int length = WriteCompressed(counts, ref buffer);
        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    /// <summary>Decodes COCO's compressed ASCII form (pycocotools <c>rleFrString</c>) back to counts.</summary>
    public static int[] FromCompressedString(string compressed)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        var counts = new List<int>();
        int p = 0;
        while (p < compressed.Length)
        {
            long x = 0;
            int k = 0;
            bool more = true;
            while (more)
            {
                if (p >= compressed.Length || k > 12)
                {
                    throw new FormatException($"Compressed RLE '{compressed}' ends inside a value at character {p}.");
                }

                int c = compressed[p] - 48;
                if (c is < 0 or > 63)
                {
                    throw new FormatException($"Compressed RLE '{compressed}' has an invalid character at {p}.");
                }

                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0)
                {
                    x |= -1L << (5 * k);
                }
            }

            if (counts.Count > 2)
            {
                x += counts[^2];
            }

            if (x is < 0 or > int.MaxValue)
            {
                throw new FormatException($"Compressed RLE '{compressed}' decodes to an invalid count {x}.");
            }

            counts.Add((int)x);
        }

        return [.. counts];
    }

    /// <summary>Gets an upper bound on the compressed length of <paramref name="countCount"/> counts (7 characters per 32-bit delta).</summary>
    internal static int MaxCompressedLength(int countCount) => Math.Max(1, countCount * 7);

    /// <summary>Writes the compressed form of <paramref name="counts"/> as ASCII bytes into <paramref name="buffer"/>, growing it when needed; returns the length.</summary>
    internal static int WriteCompressed(ReadOnlySpan<int> counts, ref byte[] buffer)
    {
        int needed = MaxCompressedLength(counts.Length);
        if (buffer.Length < needed)
        {
            buffer = new byte[Math.Max(needed, buffer.Length * 2)];
        }

        int p = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            // pycocotools delta-codes from the fourth count on (i > 2, not i >= 2); we must match it exactly.
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

                buffer[p++] = (byte)(c + 48);
            }
        }

        return p;
    }

    /// <summary>Gets the counts held in <paramref name="counts"/> as a span (no copy).</summary>
    internal static ReadOnlySpan<int> AsSpan(List<int> counts) => CollectionsMarshal.AsSpan(counts);

    /// <summary>Accumulates alternating runs, starting with zeros.</summary>
    private ref struct RunBuilder
    {
        private readonly List<int> _counts;
        private int _value;
        private long _run;

        public RunBuilder(List<int> counts)
        {
            _counts = counts;
        }

        public void Add(int value, long length)
        {
            if (length <= 0)
            {
                return;
            }

            if (value != _value)
            {
                _counts.Add(checked((int)_run));
                _value = value;
                _run = 0;
            }

            _run += length;
        }

        public readonly void Finish() => _counts.Add(checked((int)_run));
    }
}
