namespace StreamSeg.Tracking;

/// <summary>How the <see cref="TrackingStage"/> treats one source: its tracker settings and its keypoint smoothing.</summary>
/// <param name="Tracker">The ByteTrack settings (with the source's own frame rate).</param>
/// <param name="Smoothing">The One Euro settings of the keypoint smoothing, or null for none (image folders).</param>
public sealed record TrackingSourceSettings(ByteTrackerOptions Tracker, OneEuroOptions? Smoothing = null);
