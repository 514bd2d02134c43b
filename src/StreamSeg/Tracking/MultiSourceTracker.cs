using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Tracking;

/// <summary>Keeps one <see cref="ByteTracker"/> per source, chosen by <see cref="FrameMetadata.SourceIndex"/>.</summary>
/// <remarks>
/// Each source gets its own tracks and its own ids (starting at 1), created on the first frame of that source with the
/// shared options. Sources never match each other's tracks, even two with the same name (the index is the run's own
/// and unique). Options cannot change
/// while running, and frames of all sources must reach it one at a time; <see cref="Reset"/> may come from another thread.
/// <code>
/// var tracker = new MultiSourceTracker(new ByteTrackerOptions());
/// Instances tracked = tracker.Update(detections, frame.Metadata); // frame.Metadata.SourceIndex picks the tracker
/// </code>
/// </remarks>
public sealed class MultiSourceTracker
{
    private readonly ByteTrackerOptions _options;
    private readonly Dictionary<int, ByteTracker> _trackers = [];

    // Guards the dictionary only: a source leaving a live pipeline is forgotten from another thread while the
    // stage updates the others (uncontended per frame otherwise).
    private readonly Lock _lock = new();

    /// <summary>Creates a tracker for any number of sources; throws when <paramref name="options"/> are out of range.</summary>
    public MultiSourceTracker(ByteTrackerOptions options)
    {
        ByteTracker.ValidateOptions(options);
        _options = options;
    }

    /// <summary>Gets the settings every source's tracker uses.</summary>
    public ByteTrackerOptions Options => _options;

    /// <summary>Gets the number of sources that currently have a tracker.</summary>
    public int SourceCount
    {
        get
        {
            lock (_lock)
            {
                return _trackers.Count;
            }
        }
    }

    /// <summary>Assigns track ids to the detections of the next frame of the source named by <paramref name="meta"/>.</summary>
    /// <returns>As <see cref="ByteTracker.Update"/>: the detections matched to a confirmed track of that source, ordered by track id.</returns>
    public Instances Update(Instances detections, FrameMetadata meta)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(meta);
        ByteTracker? tracker;
        lock (_lock)
        {
            if (!_trackers.TryGetValue(meta.SourceIndex, out tracker))
            {
                tracker = new ByteTracker(_options);
                _trackers.Add(meta.SourceIndex, tracker);
            }
        }

        return tracker.Update(detections, meta);
    }

    /// <summary>Forgets the tracks of source <paramref name="sourceIndex"/>, so that its next frame starts again at id 1; returns whether it had any state.</summary>
    /// <remarks>May be called from another thread than <see cref="Update"/>'s, for a source whose frames no longer come.</remarks>
    public bool Reset(int sourceIndex)
    {
        lock (_lock)
        {
            return _trackers.Remove(sourceIndex);
        }
    }
}
