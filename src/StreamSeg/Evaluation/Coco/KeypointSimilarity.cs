namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// Object keypoint similarity as pycocotools' <c>computeOks</c>: per keypoint <c>e = d² / (2σ)² / (area + ε) / 2</c>
/// with the ground truth's area and ε = <c>numpy.spacing(1)</c>; OKS is the mean of <c>exp(−e)</c> over the ground
/// truth's visible keypoints (v &gt; 0). A ground truth without a visible keypoint measures the distance to the box
/// [x − w, y − h, x + 2w, y + 2h] and averages over all keypoints.
/// </summary>
internal static class KeypointSimilarity
{
    /// <summary><c>numpy.spacing(1)</c>: the gap from 1 to the next double.</summary>
    private const double Epsilon = 2.220446049250313e-16;

    /// <summary>The OKS of detection keypoints <paramref name="dt"/> against ground truth <paramref name="gt"/>.</summary>
    public static double Compute(CocoAnnotation dt, CocoAnnotation gt, IReadOnlyList<double> sigmas, Span<double> scratch)
    {
        double[] g = gt.Keypoints ?? throw new InvalidDataException($"Ground truth {gt.Id} has no keypoints.");
        double[] d = dt.Keypoints ?? throw new InvalidDataException($"Detection {dt.Id} has no keypoints.");
        int k = sigmas.Count;
        if (g.Length < 3 * k || d.Length < 3 * k)
        {
            throw new InvalidDataException($"Keypoints must have {k} [x, y, v] triples (ground truth {gt.Id}, detection {dt.Id}).");
        }

        int visible = 0;
        for (int i = 0; i < k; i++)
        {
            if (g[(3 * i) + 2] > 0)
            {
                visible++;
            }
        }

        double[] bb = gt.Bbox ?? [0, 0, 0, 0];
        double x0 = bb[0] - bb[2], x1 = bb[0] + (bb[2] * 2);
        double y0 = bb[1] - bb[3], y1 = bb[1] + (bb[3] * 2);
        int n = 0;
        for (int i = 0; i < k; i++)
        {
            double xd = d[3 * i], yd = d[(3 * i) + 1];
            double dx, dy;
            if (visible > 0)
            {
                if (g[(3 * i) + 2] <= 0)
                {
                    continue;
                }

                dx = xd - g[3 * i];
                dy = yd - g[(3 * i) + 1];
            }
            else
            {
                dx = Math.Max(0, x0 - xd) + Math.Max(0, xd - x1);
                dy = Math.Max(0, y0 - yd) + Math.Max(0, yd - y1);
            }

            double s2 = sigmas[i] * 2;
            double e = (((dx * dx) + (dy * dy)) / (s2 * s2)) / (gt.Area + Epsilon) / 2;
            scratch[n++] = Math.Exp(-e);
        }

        return NumpySum.Sum(scratch[..n]) / n;
    }
}
