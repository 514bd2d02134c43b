namespace StreamSeg.Evaluation.Mot;

/// <summary>Identity metrics (Ristani et al.) under TrackEval's names (<c>trackeval.metrics.Identity</c>).</summary>
public sealed class IdentityResult
{
    /// <summary>Gets the boxes matched under the one-to-one global id assignment.</summary>
    public int IDTP { get; init; }

    /// <summary>Gets the ground-truth boxes not matched by their assigned track.</summary>
    public int IDFN { get; init; }

    /// <summary>Gets the tracker boxes not matched to their assigned ground truth.</summary>
    public int IDFP { get; init; }

    /// <summary>Gets IDR = IDTP / (IDTP + IDFN).</summary>
    public double IDR => IDTP / Math.Max(1.0, IDTP + IDFN);

    /// <summary>Gets IDP = IDTP / (IDTP + IDFP).</summary>
    public double IDP => IDTP / Math.Max(1.0, IDTP + IDFP);

    /// <summary>Gets IDF1 = IDTP / (IDTP + ½IDFP + ½IDFN).</summary>
    public double IDF1 => IDTP / Math.Max(1.0, IDTP + (0.5 * IDFP) + (0.5 * IDFN));
}
