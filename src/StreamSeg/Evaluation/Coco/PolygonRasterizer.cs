namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// Polygons and boxes to RLE exactly as pycocotools' <c>rleFrPoly</c> / <c>rleFrBbox</c>: the boundary is walked at
/// 5× resolution, and one boundary point is kept per column crossing. Mask AP is bit-exact only with this rasterizer.
/// </summary>
public static class PolygonRasterizer
{
    private const double Scale = 5;

    /// <summary>Rasterizes a box <c>[x, y, width, height]</c> as the polygon (x, y), (x, y+h), (x+w, y+h), (x+w, y).</summary>
    public static Rle FromBox(ReadOnlySpan<double> box, int height, int width)
    {
        if (box.Length < 4)
        {
            throw new ArgumentException("A box has 4 values [x, y, width, height].", nameof(box));
        }

        double xs = box[0], xe = xs + box[2];
        double ys = box[1], ye = ys + box[3];
        return FromPolygon([xs, ys, xs, ye, xe, ye, xe, ys], height, width);
    }

    /// <summary>Rasterizes a polygon given as flat <c>[x0, y0, x1, y1, …]</c> pixel coordinates (closed implicitly).</summary>
    public static Rle FromPolygon(ReadOnlySpan<double> xy, int height, int width)
    {
        int k = xy.Length / 2;
        if (k == 0)
        {
            return new Rle(height, width, [(uint)(height * width)]);
        }

        var x = new int[k + 1];
        var y = new int[k + 1];
        for (int j = 0; j < k; j++)
        {
            x[j] = (int)((Scale * xy[j * 2]) + .5);
            y[j] = (int)((Scale * xy[(j * 2) + 1]) + .5);
        }

        x[k] = x[0];
        y[k] = y[0];
        int m = 0;
        for (int j = 0; j < k; j++)
        {
            m += Math.Max(Math.Abs(x[j] - x[j + 1]), Math.Abs(y[j] - y[j + 1])) + 1;
        }

        // Dense boundary points at 5× resolution, one step per unit of each edge's longer axis.
        var u = new int[m];
        var v = new int[m];
        m = 0;
        for (int j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ys - ye);
            bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip)
            {
                (xs, xe) = (xe, xs);
                (ys, ye) = (ye, ys);
            }

            if (dx >= dy)
            {
                // A zero-length edge (a repeated vertex) gives one point whose y is never used: no division by zero.
                double s = dx == 0 ? 0 : (double)(ye - ys) / dx;
                for (int d = 0; d <= dx; d++)
                {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs;
                    v[m] = (int)(ys + (s * t) + .5);
                    m++;
                }
            }
            else
            {
                double s = (double)(xe - xs) / dy;
                for (int d = 0; d <= dy; d++)
                {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys;
                    u[m] = (int)(xs + (s * t) + .5);
                    m++;
                }
            }
        }

        // Points where x changes, mapped back to pixel columns: the y-boundaries of each column's runs.
        var a = new uint[m + 1];
        int n = 0;
        for (int j = 1; j < m; j++)
        {
            if (u[j] == u[j - 1])
            {
                continue;
            }

            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = ((xd + .5) / Scale) - .5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > width - 1)
            {
                continue;
            }

            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = ((yd + .5) / Scale) - .5;
            if (yd < 0)
            {
                yd = 0;
            }
            else if (yd > height)
            {
                yd = height;
            }

            yd = Math.Ceiling(yd);
            a[n++] = unchecked((uint)(((int)xd * height) + (int)yd));
        }

        a[n++] = (uint)(height * width);
        Array.Sort(a, 0, n);
        uint previous = 0;
        for (int j = 0; j < n; j++)
        {
            uint t = a[j];
            a[j] -= previous;
            previous = t;
        }

        // Differences are the counts, except that a zero difference is dropped and the next one joins the previous run.
        var b = new uint[n];
        int bi = 0, ai = 0;
        b[bi++] = a[ai++];
        while (ai < n)
        {
            if (a[ai] > 0)
            {
                b[bi++] = a[ai++];
            }
            else
            {
                ai++;
                if (ai < n)
                {
                    b[bi - 1] += a[ai++];
                }
            }
        }

        return new Rle(height, width, b.AsSpan(0, bi).ToArray());
    }
}
