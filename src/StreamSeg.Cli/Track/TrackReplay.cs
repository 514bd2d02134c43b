using StreamSeg.Decode;
using StreamSeg.Tracking;

namespace StreamSeg.Cli.Track;

/// <summary>
/// Replays a <see cref="DetectionsFile"/> through the tracker the pipeline's tracking stage uses
/// (<see cref="MultiSourceTracker"/>, one <see cref="ByteTracker"/> per source, <see cref="ByteTracker.Update"/> per
/// frame) and hands each frame's result and track lists to a callback.
/// </summary>
internal static class TrackReplay
{
    /// <summary>Runs every frame of <paramref name="file"/> in order; returns the number of distinct (source, id) pairs output.</summary>
    /// <param name="file">The detections.</param>
    /// <param name="options">The tracker's settings, the same for every source.</param>
    /// <param name="onFrame">Called per frame with the frame, the tracker's frame number, its result and its tracks (valid during the call).</param>
    public static int Run(DetectionsFile file, ByteTrackerOptions options, Action<DetectionFrame, long, Instances, List<TrackSnapshot>> onFrame)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onFrame);
        var tracker = new MultiSourceTracker(options);
        var tracks = new List<TrackSnapshot>();
        var seen = new HashSet<(int Source, int Id)>();
        foreach (DetectionFrame frame in file.Frames)
        {
            Instances result = tracker.Update(frame.Detections, frame.Meta);
            tracks.Clear();
            long number = tracker.CopyTracks(frame.Meta.SourceIndex, tracks);
            foreach (int id in result.TrackIds ?? [])
            {
                seen.Add((frame.Meta.SourceIndex, id));
            }

            onFrame(frame, number, result, tracks);
        }

        return seen.Count;
    }
}
