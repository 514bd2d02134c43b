namespace StreamSeg.Evaluation.Mot;

/// <summary>
/// IoU of (left, top, width, height) boxes in continuous coordinates (x2 = left + width, no +1), written with each
/// reference tool's arithmetic so that the doubles agree to the last bit.
/// </summary>
public static class BoxIou
{
    private const double Eps = 2.220446049250313e-16; // numpy.finfo(float).eps

    /// <summary>TrackEval's <c>_calculate_box_ious(box_format='xywh')</c>: corners first, areas from the corners, degenerate boxes give 0.</summary>
    public static double TrackEval(in MotDetection a, in MotDetection b)
    {
        double ax2 = a.Left + a.Width, ay2 = a.Top + a.Height;
        double bx2 = b.Left + b.Width, by2 = b.Top + b.Height;
        double iw = Math.Max(Math.Min(ax2, bx2) - Math.Max(a.Left, b.Left), 0);
        double ih = Math.Max(Math.Min(ay2, by2) - Math.Max(a.Top, b.Top), 0);
        double intersection = iw * ih;
        double area1 = (ax2 - a.Left) * (ay2 - a.Top);
        double area2 = (bx2 - b.Left) * (by2 - b.Top);
        double union = area1 + area2 - intersection;
        if (area1 <= Eps || area2 <= Eps || union <= Eps)
        {
            return 0;
        }

        return intersection / union;
    }

    /// <summary>
    /// py-motmetrics' <c>boxiou</c> after <c>load_motchallenge</c> has shifted left and top by −1 (MATLAB convention):
    /// sizes from the corners clamped at 0, no overlap gives 0.
    /// </summary>
    public static double MotMetrics(in MotDetection a, in MotDetection b)
    {
        double al = a.Left - 1, at = a.Top - 1, bl = b.Left - 1, bt = b.Top - 1;
        double ar = al + a.Width, ab = at + a.Height, br = bl + b.Width, bb = bt + b.Height;
        double intersection = Math.Max(Math.Min(ar, br) - Math.Max(al, bl), 0) * Math.Max(Math.Min(ab, bb) - Math.Max(at, bt), 0);
        if (intersection == 0)
        {
            return 0;
        }

        double areaA = Math.Max(ar - al, 0) * Math.Max(ab - at, 0);
        double areaB = Math.Max(br - bl, 0) * Math.Max(bb - bt, 0);
        return intersection / (areaA + areaB - intersection);
    }
}
