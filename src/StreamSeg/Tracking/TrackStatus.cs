namespace StreamSeg.Tracking;

/// <summary>Which of upstream ByteTrack's lists a <see cref="TrackSnapshot"/> is in.</summary>
public enum TrackStatus
{
    /// <summary>Tracked and confirmed: output on this frame (upstream's returned tracks).</summary>
    Confirmed,

    /// <summary>Born on this frame and not yet confirmed (in upstream's <c>tracked_stracks</c> with <c>is_activated</c> false).</summary>
    Unconfirmed,

    /// <summary>In upstream's <c>lost_stracks</c>: unmatched, still predicted, and matchable again.</summary>
    Lost,
}
