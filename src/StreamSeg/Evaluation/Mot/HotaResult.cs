namespace StreamSeg.Evaluation.Mot;

/// <summary>
/// HOTA results under TrackEval's names (<c>trackeval.metrics.HOTA</c>): one value per localisation threshold
/// α ∈ <see cref="Alphas"/> and, as TrackEval's summary reports them, their plain means.
/// </summary>
public sealed class HotaResult
{
    /// <summary>Gets the 19 thresholds α = 0.05, 0.10 … 0.95, as <c>numpy.arange(0.05, 0.99, 0.05)</c> computes them.</summary>
    public static IReadOnlyList<double> Alphas { get; } = MakeAlphas();

    /// <summary>Gets the true positives per α.</summary>
    public required int[] TP { get; init; }

    /// <summary>Gets the false negatives per α.</summary>
    public required int[] FN { get; init; }

    /// <summary>Gets the false positives per α.</summary>
    public required int[] FP { get; init; }

    /// <summary>Gets HOTA = √(DetA·AssA) per α.</summary>
    public required double[] Hota { get; init; }

    /// <summary>Gets DetA = TP / (TP + FN + FP) per α.</summary>
    public required double[] DetA { get; init; }

    /// <summary>Gets AssA per α: the mean over TPs of the association Jaccard TPA / (TPA + FNA + FPA) of the TP's id pair.</summary>
    public required double[] AssA { get; init; }

    /// <summary>Gets DetRe = TP / (TP + FN) per α.</summary>
    public required double[] DetRe { get; init; }

    /// <summary>Gets DetPr = TP / (TP + FP) per α.</summary>
    public required double[] DetPr { get; init; }

    /// <summary>Gets AssRe per α: the mean over TPs of TPA / (TPA + FNA).</summary>
    public required double[] AssRe { get; init; }

    /// <summary>Gets AssPr per α: the mean over TPs of TPA / (TPA + FPA).</summary>
    public required double[] AssPr { get; init; }

    /// <summary>Gets LocA per α: the mean similarity of the TPs.</summary>
    public required double[] LocA { get; init; }

    /// <summary>Gets OWTA = √(DetRe·AssA) per α.</summary>
    public required double[] Owta { get; init; }

    /// <summary>Gets HOTA at the lowest α (TrackEval's <c>HOTA(0)</c>).</summary>
    public double Hota0 => Hota[0];

    /// <summary>Gets LocA at the lowest α (<c>LocA(0)</c>).</summary>
    public double LocA0 => LocA[0];

    /// <summary>Gets HOTA(0) × LocA(0) (<c>HOTALocA(0)</c>).</summary>
    public double HotaLocA0 => Hota[0] * LocA[0];

    /// <summary>Gets the mean of <paramref name="values"/> as numpy's <c>mean</c> sums (pairwise, 8 lanes).</summary>
    public static double Mean(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return NumpySum.Pairwise(values) / values.Length;
    }

    private static double[] MakeAlphas()
    {
        var alphas = new double[19];
        for (int i = 0; i < alphas.Length; i++)
        {
            alphas[i] = 0.05 + (i * 0.05);
        }

        return alphas;
    }
}
