using StreamSeg.Decode;

namespace StreamSeg.Tracking;

/// <summary>One ByteTrack track (ByteTrack's <c>STrack</c>): its Kalman state, id and life-cycle bookkeeping.</summary>
internal sealed class Track
{
    /// <summary>Starts a track at a detection, in the Tracked state; <see cref="IsActivated"/> only on the first frame (pass id 0 for a tentative track).</summary>
    public Track(int id, in BoxF box, float score, int classId, long frame, bool activated)
    {
        Filter = new KalmanBoxFilter(box);
        Id = id;
        Score = score;
        ClassId = classId;
        StartFrame = frame;
        LastFrame = frame;
        IsActivated = activated;
        State = TrackState.Tracked;
    }

    /// <summary>
    /// Gets or sets the track id (1, 2, … within one tracker), given when the track is first confirmed, so that
    /// tentative tracks that never confirm leave no gaps in the ids people see; 0 until then.
    /// </summary>
    public int Id { get; set; }

    /// <summary>Gets the Kalman filter of the track's box.</summary>
    public KalmanBoxFilter Filter { get; }

    /// <summary>Gets or sets the life-cycle state.</summary>
    public TrackState State { get; set; }

    /// <summary>Gets or sets whether the track is confirmed (born on frame 1, or matched again after its birth).</summary>
    public bool IsActivated { get; set; }

    /// <summary>Gets or sets the score of the last matched detection.</summary>
    public float Score { get; set; }

    /// <summary>Gets or sets the class of the last matched detection.</summary>
    public int ClassId { get; set; }

    /// <summary>Gets the tracker frame at which the track was born.</summary>
    public long StartFrame { get; }

    /// <summary>Gets or sets the tracker frame of the last matched detection (ByteTrack's <c>end_frame</c>).</summary>
    public long LastFrame { get; set; }

    /// <summary>Gets or sets the index of the detection matched in the current frame, or -1.</summary>
    public int DetectionIndex { get; set; } = -1;

    /// <summary>Gets the box of the current Kalman state.</summary>
    public BoxF Box => Filter.Box;

    /// <summary>Corrects the track with a matched detection and marks it Tracked and confirmed (ByteTrack's <c>update</c>/<c>re_activate</c>).</summary>
    public void Match(in BoxF box, float score, int classId, int detectionIndex, long frame)
    {
        Filter.Update(box);
        Score = score;
        ClassId = classId;
        DetectionIndex = detectionIndex;
        LastFrame = frame;
        State = TrackState.Tracked;
        IsActivated = true;
    }
}
