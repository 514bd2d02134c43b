namespace StreamSeg.Tracking;

/// <summary>One ByteTrack track (ByteTrack's <c>STrack</c>): its Kalman state, id and life-cycle bookkeeping.</summary>
internal sealed class Track
{
    /// <summary>Starts a track at a detection (ByteTrack's <c>activate</c>), in the Tracked state.</summary>
    public Track(int id, double x1, double y1, double x2, double y2, float score, int classId, int detectionIndex, long frame, bool activated)
    {
        Filter = new KalmanBoxFilter(x1, y1, x2, y2);
        Id = id;
        Score = score;
        ClassId = classId;
        DetectionIndex = detectionIndex;
        StartFrame = frame;
        LastFrame = frame;
        IsActivated = activated;
        State = TrackState.Tracked;
    }

    /// <summary>Gets the id given at birth (1, 2, … within one tracker), as upstream's <c>track_id</c>.</summary>
    public int Id { get; }

    /// <summary>Gets or sets the id among confirmed tracks (<see cref="ByteTrackerOptions.ConfirmedIds"/>), 0 until the track is first output.</summary>
    public int ConfirmedId { get; set; }

    /// <summary>Gets the Kalman filter of the track's box.</summary>
    public KalmanBoxFilter Filter { get; }

    /// <summary>Gets or sets the life-cycle state.</summary>
    public TrackState State { get; set; }

    /// <summary>Gets or sets whether the track is confirmed (born on frame 1, or matched again after its birth).</summary>
    public bool IsActivated { get; set; }

    /// <summary>
    /// Gets or sets whether the track is in upstream's <c>removed_stracks</c>, which it joins when it is removed and
    /// never leaves, even when a timed-out track is found again on the next frame.
    /// </summary>
    public bool InRemovedList { get; set; }

    /// <summary>Gets or sets the score of the last matched detection.</summary>
    public float Score { get; set; }

    /// <summary>Gets or sets the class of the last matched detection.</summary>
    public int ClassId { get; set; }

    /// <summary>Gets the tracker frame at which the track was born (upstream's <c>start_frame</c>).</summary>
    public long StartFrame { get; }

    /// <summary>Gets or sets the tracker frame of the last matched detection (upstream's <c>end_frame</c>).</summary>
    public long LastFrame { get; set; }

    /// <summary>Gets or sets the index of the detection matched in the current frame, or -1.</summary>
    public int DetectionIndex { get; set; }

    /// <summary>Corrects the track with a matched detection and marks it Tracked and confirmed (ByteTrack's <c>update</c>/<c>re_activate</c>).</summary>
    public void Match(double x1, double y1, double x2, double y2, float score, int classId, int detectionIndex, long frame)
    {
        Filter.Update(x1, y1, x2, y2);
        Score = score;
        ClassId = classId;
        DetectionIndex = detectionIndex;
        LastFrame = frame;
        State = TrackState.Tracked;
        IsActivated = true;
    }
}
