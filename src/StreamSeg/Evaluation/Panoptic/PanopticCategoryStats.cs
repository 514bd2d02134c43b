namespace StreamSeg.Evaluation.Panoptic;

/// <summary>The counts of one category, summed over images (panopticapi's <c>PQStatCat</c>).</summary>
public sealed class PanopticCategoryStats
{
    /// <summary>Gets the matched (IoU &gt; 0.5) ground-truth/prediction pairs.</summary>
    public int TP { get; internal set; }

    /// <summary>Gets the unmatched predictions that are not mostly VOID or crowd.</summary>
    public int FP { get; internal set; }

    /// <summary>Gets the unmatched non-crowd ground-truth segments.</summary>
    public int FN { get; internal set; }

    /// <summary>Gets the summed IoU of the matches.</summary>
    public double IouSum { get; internal set; }

    /// <summary>Gets PQ = ΣIoU / (TP + ½FP + ½FN), or 0 when the category has no TP, FP or FN.</summary>
    public double PQ => Denominator == 0 ? 0 : IouSum / Denominator;

    /// <summary>Gets SQ = ΣIoU / TP, or 0 without TP.</summary>
    public double SQ => TP == 0 ? 0 : IouSum / TP;

    /// <summary>Gets RQ = TP / (TP + ½FP + ½FN), or 0 when the category has no TP, FP or FN.</summary>
    public double RQ => Denominator == 0 ? 0 : TP / Denominator;

    /// <summary>Gets whether the category counts in the averages (TP + FP + FN &gt; 0).</summary>
    public bool Counted => TP + FP + FN > 0;

    private double Denominator => TP + (0.5 * FP) + (0.5 * FN);
}
