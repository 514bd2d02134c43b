namespace StreamSeg.Tracking;

/// <summary>
/// Settings of a <see cref="ByteTracker"/>. The defaults are ByteTrack's demo defaults, under Ultralytics' older
/// <c>bytetrack.yaml</c> names (<c>track_high_thresh</c>, <c>track_low_thresh</c>, <c>new_track_thresh</c>,
/// <c>track_buffer</c>, <c>match_thresh</c>, <c>fuse_score</c>). They are validated when a tracker is created.
/// </summary>
public sealed record ByteTrackerOptions
{
    /// <summary>Gets the score at or above which a detection is "high" and takes part in the first association (0..1, default 0.5).</summary>
    public float TrackHighThreshold { get; init; } = 0.5f;

    /// <summary>Gets the score above which a detection below <see cref="TrackHighThreshold"/> is "low" and used in the second association; lower scores are ignored (0..1, default 0.1).</summary>
    public float TrackLowThreshold { get; init; } = 0.1f;

    /// <summary>Gets the score a high detection left unmatched needs to start a new track (0..1, default 0.6).</summary>
    public float NewTrackThreshold { get; init; } = 0.6f;

    /// <summary>Gets the number of frames a lost track is kept (and can be found again) before it is removed (≥ 0, default 30).</summary>
    public int TrackBuffer { get; init; } = 30;

    /// <summary>Gets the largest cost (1 − IoU, or 1 − IoU·score with <see cref="FuseScore"/>) a pair may have in the first association (0..1, default 0.8).</summary>
    public float MatchThreshold { get; init; } = 0.8f;

    /// <summary>Gets whether the first and the unconfirmed associations weight IoU by the detection score (default true).</summary>
    public bool FuseScore { get; init; } = true;
}
