namespace StreamSeg.Tracking;

/// <summary>
/// Settings of a <see cref="ByteTracker"/>. The defaults are those of ifzhang/ByteTrack (<c>track_thresh</c> 0.5,
/// <c>track_buffer</c> 30, <c>match_thresh</c> 0.8, <c>mot20</c> false, 30 fps), under Ultralytics' older
/// <c>bytetrack.yaml</c> names where it has one. Options that depart from upstream are off by default. They are
/// validated when a tracker is created.
/// </summary>
public sealed record ByteTrackerOptions
{
    /// <summary>
    /// Gets the score above which (strictly, as upstream's <c>scores &gt; track_thresh</c>) a detection is "high" and
    /// takes part in the first association (ByteTrack's <c>track_thresh</c>; 0..1, default 0.5).
    /// </summary>
    public float TrackHighThreshold { get; init; } = 0.5f;

    /// <summary>
    /// Gets the score above which a detection scoring below <see cref="TrackHighThreshold"/> is "low" and used in the
    /// second association (upstream's fixed 0.1; 0..1). A score equal to <see cref="TrackHighThreshold"/> is in neither set.
    /// </summary>
    public float TrackLowThreshold { get; init; } = 0.1f;

    /// <summary>
    /// Gets the score a high detection left unmatched needs to start a new track (ByteTrack's <c>det_thresh</c>), or
    /// null for upstream's <see cref="TrackHighThreshold"/> + 0.1 (0..1, default null).
    /// </summary>
    public float? NewTrackThreshold { get; init; }

    /// <summary>
    /// Gets ByteTrack's <c>track_buffer</c>: a lost track is kept (and can be found again) for
    /// int(<see cref="FrameRate"/> / 30 × <see cref="TrackBuffer"/>) frames (≥ 0, default 30).
    /// </summary>
    public int TrackBuffer { get; init; } = 30;

    /// <summary>Gets the source's frame rate, which scales <see cref="TrackBuffer"/> as upstream does (&gt; 0, default 30).</summary>
    public double FrameRate { get; init; } = 30;

    /// <summary>Gets the largest cost (1 − IoU, or 1 − IoU·score with <see cref="FuseScore"/>) a pair may have in the first association (0..1, default 0.8).</summary>
    public float MatchThreshold { get; init; } = 0.8f;

    /// <summary>Gets whether the first and the unconfirmed associations weight IoU by the detection score (upstream's <c>not mot20</c>; default true).</summary>
    public bool FuseScore { get; init; } = true;

    /// <summary>
    /// Gets whether ids are numbered among confirmed tracks only (1, 2, 3 … without gaps), instead of upstream's
    /// ids given at birth, which skip the ids of tracks that were never confirmed (default false).
    /// </summary>
    public bool ConfirmedIds { get; init; }

    /// <summary>
    /// Gets whether the result carries the matched detection's box instead of upstream's Kalman-filtered box
    /// (default false). The detection box is the one that masks and keypoints were found in.
    /// </summary>
    public bool ReportDetectionBoxes { get; init; }

    /// <summary>Gets the score that starts a track: <see cref="NewTrackThreshold"/>, or <see cref="TrackHighThreshold"/> + 0.1 in float as upstream.</summary>
    public float EffectiveNewTrackThreshold => NewTrackThreshold ?? (TrackHighThreshold + 0.1f);

    /// <summary>Gets upstream's <c>max_time_lost</c>: int(<see cref="FrameRate"/> / 30.0 × <see cref="TrackBuffer"/>).</summary>
    public int MaxTimeLost => (int)(FrameRate / 30.0 * TrackBuffer);
}
