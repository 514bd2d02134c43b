namespace StreamSeg.Tracking;

/// <summary>One track of a <see cref="ByteTracker"/> after an update, as <see cref="ByteTracker.CopyTracks"/> reports it.</summary>
/// <param name="TrackId">The id the result carries (0 for an unconfirmed track under <see cref="ByteTrackerOptions.ConfirmedIds"/>).</param>
/// <param name="Status">Which list the track is in.</param>
/// <param name="X1">Left edge of the Kalman box: the posterior for a tracked track, this frame's prediction for a lost one.</param>
/// <param name="Y1">Top edge of the Kalman box.</param>
/// <param name="X2">Right edge of the Kalman box.</param>
/// <param name="Y2">Bottom edge of the Kalman box.</param>
/// <param name="Score">The score of the last matched detection.</param>
/// <param name="DetectionIndex">The index of the detection matched on this frame, or -1 (lost tracks).</param>
/// <param name="LastFrame">The tracker frame of the last match (upstream's <c>end_frame</c>; frames count from 1).</param>
/// <param name="TimedOut">For a lost track: it passed <see cref="ByteTrackerOptions.MaxTimeLost"/> and leaves the list after the next frame.</param>
public readonly record struct TrackSnapshot(
    int TrackId,
    TrackStatus Status,
    double X1,
    double Y1,
    double X2,
    double Y2,
    float Score,
    int DetectionIndex,
    long LastFrame,
    bool TimedOut);
