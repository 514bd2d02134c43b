namespace StreamSeg.Tracking;

/// <summary>How the <see cref="TrackingStage"/> treats one source: its tracker settings and its keypoint smoothing.</summary>
/// <param name="Tracker">The ByteTrack settings (with the source's own frame rate).</param>
/// <param name="Smoothing">The One Euro settings of the keypoint smoothing, or null for none (image folders).</param>
/// <param name="Enabled">Whether the source is tracked at all; false passes its detections through untouched (stills:
/// an image folder's pictures are not a sequence, and ByteTrack would hold back a person scoring under
/// <c>track_thresh + 0.1</c> on the first frame it is seen, which for a still is the only one).</param>
public sealed record TrackingSourceSettings(ByteTrackerOptions Tracker, OneEuroOptions? Smoothing = null, bool Enabled = true);
