namespace StreamSeg.Tracking;

/// <summary>The life-cycle state of a ByteTrack track.</summary>
internal enum TrackState
{
    /// <summary>Matched to a detection in the latest frame.</summary>
    Tracked,

    /// <summary>Unmatched; kept, and still predicted, for up to <see cref="ByteTrackerOptions.MaxTimeLost"/> frames.</summary>
    Lost,

    /// <summary>Dropped. As upstream, a lost track marked removed stays in the lost list until the end of the next frame and can still be found again then.</summary>
    Removed,
}
