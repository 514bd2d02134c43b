namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// A binary mask in COCO run-length encoding: pixels in column-major order (down each column, then the next), as
/// alternating runs that start with background; a run may be 0. The operations follow pycocotools' <c>maskApi.c</c>
/// step for step, so areas, boxes and IoUs match it exactly.
/// </summary>
public sealed class Rle
{
    /// <summary>Creates an RLE of an <paramref name="height"/> × <paramref name="width"/> canvas; <paramref name="counts"/> is kept, not copied.</summary>
    public Rle(int height, int width, uint[] counts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentNullException.ThrowIfNull(counts);
        Height = height;
        Width = width;
        Counts = counts;
    }

    /// <summary>Gets the canvas height.</summary>
    public int Height { get; }

    /// <summary>Gets the canvas width.</summary>
    public int Width { get; }

    /// <summary>Gets the run lengths (background first).</summary>
    public uint[] Counts { get; }

    /// <summary>Gets the number of foreground pixels (the sum of the odd runs, in 32-bit arithmetic as in <c>rleArea</c>).</summary>
    public uint Area
    {
        get
        {
            uint area = 0;
            uint[] counts = Counts;
            for (int j = 1; j < counts.Length; j += 2)
            {
                area += counts[j];
            }

            return area;
        }
    }

    /// <summary>Encodes a column-major mask (non-zero = foreground) of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public static Rle FromColumnMajorMask(ReadOnlySpan<byte> mask, int height, int width)
    {
        if (mask.Length != height * width)
        {
            throw new ArgumentException($"The mask has {mask.Length} pixels, not {height}×{width}.", nameof(mask));
        }

        var counts = new List<uint>();
        bool previous = false;
        uint run = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            bool value = mask[i] != 0;
            if (value != previous)
            {
                counts.Add(run);
                run = 0;
                previous = value;
            }

            run++;
        }

        counts.Add(run);
        return new Rle(height, width, [.. counts]);
    }

    /// <summary>Encodes a row-major mask (non-zero = foreground), the layout of an image, of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public static Rle FromRowMajorMask(ReadOnlySpan<byte> mask, int height, int width)
    {
        if (mask.Length != height * width)
        {
            throw new ArgumentException($"The mask has {mask.Length} pixels, not {height}×{width}.", nameof(mask));
        }

        var counts = new List<uint>();
        bool previous = false;
        uint run = 0;
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                bool value = mask[(y * width) + x] != 0;
                if (value != previous)
                {
                    counts.Add(run);
                    run = 0;
                    previous = value;
                }

                run++;
            }
        }

        counts.Add(run);
        return new Rle(height, width, [.. counts]);
    }

    /// <summary>
    /// Decodes into a column-major mask of 0 and 1. Throws <see cref="FormatException"/> when the runs cover more than
    /// the canvas (a corrupt or negative count), as pycocotools' <c>decode</c> rejects it.
    /// </summary>
    public byte[] ToColumnMajorMask()
    {
        long size = (long)Height * Width;
        long total = 0;
        foreach (uint c in Counts)
        {
            total += c;
        }

        if (total > size)
        {
            throw new FormatException($"Invalid RLE mask representation: the runs cover {total} pixels of a {Height}×{Width} canvas.");
        }

        var mask = new byte[size];
        long p = 0;
        for (int j = 0; j < Counts.Length; j++)
        {
            if ((j & 1) == 1)
            {
                mask.AsSpan((int)p, (int)Counts[j]).Fill(1);
            }

            p += Counts[j];
        }

        return mask;
    }

    /// <summary>
    /// The tight box <c>[x, y, width, height]</c> of the foreground pixels (<c>rleToBbox</c>; all zeros for an empty
    /// mask). A run that wraps into the next column widens the box to the full height, as in pycocotools; empty runs
    /// are skipped.
    /// </summary>
    public double[] ToBbox()
    {
        uint h = (uint)Height;
        if (h == 0)
        {
            return new double[4];
        }

        uint xs = (uint)Width, ys = h, xe = 0, ye = 0;
        bool any = false;
        ulong start = 0;
        uint[] counts = Counts;
        for (int j = 0; j < counts.Length; j++)
        {
            ulong end = start + counts[j];
            if ((j & 1) == 1 && counts[j] > 0)
            {
                any = true;
                ulong last = end - 1;
                uint x0 = (uint)(start / h), y0 = (uint)(start % h);
                uint x1 = (uint)(last / h), y1 = (uint)(last % h);
                if (x0 < x1)
                {
                    ys = 0;
                    ye = h - 1;
                }

                xs = Math.Min(xs, x0);
                xe = Math.Max(xe, x1);
                ys = Math.Min(ys, Math.Min(y0, y1));
                ye = Math.Max(ye, Math.Max(y0, y1));
            }

            start = end;
        }

        return any ? [xs, ys, xe - xs + 1, ye - ys + 1] : new double[4];
    }

    /// <summary>The pixelwise union (or, with <paramref name="intersect"/>, intersection) of masks of one size (<c>rleMerge</c>).</summary>
    public static Rle Merge(IReadOnlyList<Rle> masks, bool intersect = false)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.Count == 0)
        {
            return new Rle(0, 0, []);
        }

        Rle first = masks[0];
        if (masks.Count == 1)
        {
            return new Rle(first.Height, first.Width, (uint[])first.Counts.Clone());
        }

        int h = first.Height, w = first.Width;
        uint[] a = first.Counts;
        var merged = new List<uint>(a.Length * 2);
        for (int i = 1; i < masks.Count; i++)
        {
            uint[] b = masks[i].Counts;
            if (masks[i].Height != h || masks[i].Width != w)
            {
                return new Rle(0, 0, []);
            }

            merged.Clear();
            uint ca = a.Length > 0 ? a[0] : 0, cb = b.Length > 0 ? b[0] : 0, cc = 0;
            bool v = false, va = false, vb = false;
            int ia = 1, ib = 1;
            bool more = true;
            while (more)
            {
                uint c = Math.Min(ca, cb);
                cc += c;
                ca -= c;
                if (ca == 0 && ia < a.Length)
                {
                    ca = a[ia++];
                    va = !va;
                }

                cb -= c;
                if (cb == 0 && ib < b.Length)
                {
                    cb = b[ib++];
                    vb = !vb;
                }

                more = ca + (ulong)cb > 0;
                bool vp = v;
                v = intersect ? va && vb : va || vb;
                if (v != vp || !more)
                {
                    merged.Add(cc);
                    cc = 0;
                }
            }

            a = [.. merged];
        }

        return new Rle(h, w, a);
    }
}
