namespace StreamSeg.Evaluation.Mot;

/// <summary>CLEAR MOT results under TrackEval's names and definitions (<c>trackeval.metrics.CLEAR</c>).</summary>
public sealed class ClearResult
{
    /// <summary>Gets the matches (CLR_TP).</summary>
    public int TP { get; init; }

    /// <summary>Gets the missed ground-truth boxes (CLR_FN).</summary>
    public int FN { get; init; }

    /// <summary>Gets the unmatched tracker boxes (CLR_FP).</summary>
    public int FP { get; init; }

    /// <summary>Gets the identity switches: a ground truth matched to a different track than at its last match.</summary>
    public int IDSW { get; init; }

    /// <summary>Gets the mostly tracked trajectories (matched in more than 80 % of their frames).</summary>
    public int MT { get; init; }

    /// <summary>Gets the partially tracked trajectories.</summary>
    public int PT { get; init; }

    /// <summary>Gets the mostly lost trajectories (matched in less than 20 % of their frames).</summary>
    public int ML { get; init; }

    /// <summary>Gets the fragmentations: per trajectory, the tracked stretches after the first.</summary>
    public int Frag { get; init; }

    /// <summary>Gets the summed IoU of the matches.</summary>
    public double MOTPSum { get; init; }

    /// <summary>Gets the sequence length in frames (CLR_Frames).</summary>
    public int Frames { get; init; }

    private int GtDets => TP + FN;

    /// <summary>Gets MOTA = (TP − FP − IDSW) / GT boxes.</summary>
    public double MOTA => (TP - FP - IDSW) / Math.Max(1.0, GtDets);

    /// <summary>Gets MOTP, the mean IoU of the matches.</summary>
    public double MOTP => MOTPSum / Math.Max(1.0, TP);

    /// <summary>Gets MODA = (TP − FP) / GT boxes.</summary>
    public double MODA => (TP - FP) / Math.Max(1.0, GtDets);

    /// <summary>Gets MOTAL, MOTA with log10(IDSW) in place of IDSW.</summary>
    public double MOTAL => (TP - FP - (IDSW > 0 ? Math.Log10(IDSW) : IDSW)) / Math.Max(1.0, GtDets);

    /// <summary>Gets sMOTA = (ΣIoU − FP − IDSW) / GT boxes.</summary>
    public double SMOTA => (MOTPSum - FP - IDSW) / Math.Max(1.0, GtDets);

    /// <summary>Gets the detection recall TP / GT boxes (CLR_Re).</summary>
    public double Recall => TP / Math.Max(1.0, GtDets);

    /// <summary>Gets the detection precision TP / tracker boxes (CLR_Pr).</summary>
    public double Precision => TP / Math.Max(1.0, TP + FP);

    /// <summary>Gets CLR_F1 = TP / (TP + ½FN + ½FP).</summary>
    public double F1 => TP / Math.Max(1.0, TP + (0.5 * FN) + (0.5 * FP));

    /// <summary>Gets the false positives per frame.</summary>
    public double FPPerFrame => FP / Math.Max(1.0, Frames);

    /// <summary>Gets MT / trajectories.</summary>
    public double MostlyTrackedRatio => MT / Math.Max(1.0, MT + PT + ML);

    /// <summary>Gets PT / trajectories.</summary>
    public double PartiallyTrackedRatio => PT / Math.Max(1.0, MT + PT + ML);

    /// <summary>Gets ML / trajectories.</summary>
    public double MostlyLostRatio => ML / Math.Max(1.0, MT + PT + ML);
}
