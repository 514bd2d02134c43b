namespace StreamSeg.Tracking;

/// <summary>The life-cycle state of a ByteTrack track.</summary>
internal enum TrackState
{
    /// <summary>Matched to a detection in the latest frame.</summary>
    Tracked,

    /// <summary>Unmatched; kept, and still predicted, for up to <see cref="ByteTrackerOptions.TrackBuffer"/> frames.</summary>
    Lost,

    /// <summary>Dropped; never matched again.</summary>
    Removed,
}
