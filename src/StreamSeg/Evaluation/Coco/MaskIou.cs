namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// IoU matrices as pycocotools' <c>iou(dt, gt, iscrowd)</c>: rows are detections, columns ground truths. For a crowd
/// column the union is the detection's own area. Boxes are <c>[x, y, width, height]</c> in continuous coordinates.
/// </summary>
public static class MaskIou
{
    /// <summary>Box IoU (<c>bbIou</c>) into <paramref name="result"/>, row-major <c>dt.Count × gt.Count</c>.</summary>
    public static void Boxes(IReadOnlyList<double[]> dt, IReadOnlyList<double[]> gt, ReadOnlySpan<bool> crowd, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(dt);
        ArgumentNullException.ThrowIfNull(gt);
        int n = gt.Count;
        for (int g = 0; g < n; g++)
        {
            double[] gb = gt[g];
            double ga = gb[2] * gb[3];
            bool isCrowd = !crowd.IsEmpty && crowd[g];
            for (int d = 0; d < dt.Count; d++)
            {
                double[] db = dt[d];
                double da = db[2] * db[3];
                result[(d * n) + g] = 0;
                double w = Math.Min(db[2] + db[0], gb[2] + gb[0]) - Math.Max(db[0], gb[0]);
                if (w <= 0)
                {
                    continue;
                }

                double h = Math.Min(db[3] + db[1], gb[3] + gb[1]) - Math.Max(db[1], gb[1]);
                if (h <= 0)
                {
                    continue;
                }

                double i = w * h;
                double u = isCrowd ? da : ga + da - i;
                result[(d * n) + g] = i / u;
            }
        }
    }

    /// <summary>
    /// Mask IoU (<c>rleIou</c>) into <paramref name="result"/>, row-major <c>dt.Count × gt.Count</c>; -1 where the
    /// canvases differ. Pairs whose boxes do not overlap are 0 without walking the runs.
    /// </summary>
    public static void Masks(IReadOnlyList<Rle> dt, IReadOnlyList<Rle> gt, ReadOnlySpan<bool> crowd, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(dt);
        ArgumentNullException.ThrowIfNull(gt);
        var dtBoxes = new double[dt.Count][];
        for (int d = 0; d < dt.Count; d++)
        {
            dtBoxes[d] = dt[d].ToBbox();
        }

        var gtBoxes = new double[gt.Count][];
        for (int g = 0; g < gt.Count; g++)
        {
            gtBoxes[g] = gt[g].ToBbox();
        }

        Boxes(dtBoxes, gtBoxes, crowd, result);
        int n = gt.Count;
        for (int g = 0; g < n; g++)
        {
            bool isCrowd = !crowd.IsEmpty && crowd[g];
            for (int d = 0; d < dt.Count; d++)
            {
                int at = (d * n) + g;
                if (result[at] > 0)
                {
                    result[at] = Pair(dt[d], gt[g], isCrowd);
                }
            }
        }
    }

    /// <summary>The IoU of two masks (intersection over the detection's area when <paramref name="crowd"/>).</summary>
    public static double Pair(Rle dt, Rle gt, bool crowd)
    {
        ArgumentNullException.ThrowIfNull(dt);
        ArgumentNullException.ThrowIfNull(gt);
        if (dt.Height != gt.Height || dt.Width != gt.Width)
        {
            return -1;
        }

        uint[] a = dt.Counts, b = gt.Counts;
        if (a.Length == 0 || b.Length == 0)
        {
            return 0;
        }

        uint ca = a[0], cb = b[0], i = 0, u = 0;
        int ka = 1, kb = 1;
        bool va = false, vb = false, more = true;
        while (more)
        {
            uint c = Math.Min(ca, cb);
            if (va || vb)
            {
                u += c;
                if (va && vb)
                {
                    i += c;
                }
            }

            ca -= c;
            if (ca == 0 && ka < a.Length)
            {
                ca = a[ka++];
                va = !va;
            }

            cb -= c;
            if (cb == 0 && kb < b.Length)
            {
                cb = b[kb++];
                vb = !vb;
            }

            more = ca + (ulong)cb > 0;
        }

        if (i == 0)
        {
            u = 1;
        }
        else if (crowd)
        {
            u = dt.Area;
        }

        return (double)i / u;
    }
}
