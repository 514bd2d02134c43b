namespace StreamSeg.Tracking;

/// <summary>
/// Settings of a <see cref="OneEuroFilter"/> (Casiez, Roussel and Vogel, CHI 2012). The defaults are MediaPipe's pose
/// landmark smoothing (<c>one_euro_filter { min_cutoff: 0.05, beta: 80.0, derivate_cutoff: 1.0 }</c>), whose speed is
/// measured in object sizes per second (see <see cref="OneEuroFilter.Apply"/>'s value scale).
/// </summary>
public sealed record OneEuroOptions
{
    /// <summary>Gets the cutoff frequency at rest, in Hz: lower removes more jitter from still points, with more lag (&gt; 0, default 0.05).</summary>
    public double MinCutoff { get; init; } = 0.05;

    /// <summary>Gets how fast the cutoff rises with speed (cutoff = <see cref="MinCutoff"/> + β·|speed|): higher lags less on fast moves (≥ 0, default 80).</summary>
    public double Beta { get; init; } = 80;

    /// <summary>Gets the cutoff frequency of the speed estimate, in Hz (&gt; 0, default 1).</summary>
    public double DerivativeCutoff { get; init; } = 1;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (!(MinCutoff > 0) || !double.IsFinite(MinCutoff))
        {
            throw new ArgumentOutOfRangeException(nameof(MinCutoff), MinCutoff, "The minimum cutoff must be a positive frequency.");
        }

        if (!(Beta >= 0) || !double.IsFinite(Beta))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "Beta must be ≥ 0.");
        }

        if (!(DerivativeCutoff > 0) || !double.IsFinite(DerivativeCutoff))
        {
            throw new ArgumentOutOfRangeException(nameof(DerivativeCutoff), DerivativeCutoff, "The derivative cutoff must be a positive frequency.");
        }
    }
}
