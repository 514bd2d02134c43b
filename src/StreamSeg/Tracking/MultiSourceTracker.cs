using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Tracking;

/// <summary>Keeps one <see cref="ByteTracker"/> per source, chosen by <see cref="FrameMetadata.SourceIndex"/>.</summary>
/// <remarks>
/// Each source gets its own tracks and its own ids (starting at 1), created on the first frame of that source with the
/// shared options, or with the options given for that source (its own frame rate, for example). Sources never match each other's tracks, even two with the same name (the index is the run's own
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
    private readonly Func<int, ByteTrackerOptions>? _optionsForSource;
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

    /// <summary>
    /// Creates a tracker for any number of sources whose settings depend on the source:
    /// <paramref name="optionsForSource"/> is called with a source's index on its first frame (and again after
    /// <see cref="Reset"/>); <paramref name="options"/> are the settings reported by <see cref="Options"/>.
    /// </summary>
    public MultiSourceTracker(ByteTrackerOptions options, Func<int, ByteTrackerOptions> optionsForSource)
        : this(options)
    {
        ArgumentNullException.ThrowIfNull(optionsForSource);
        _optionsForSource = optionsForSource;
    }

    /// <summary>Gets the settings every source's tracker uses (the default ones when settings depend on the source).</summary>
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
                tracker = new ByteTracker(_optionsForSource?.Invoke(meta.SourceIndex) ?? _options);
                _trackers.Add(meta.SourceIndex, tracker);
            }
        }

        return tracker.Update(detections, meta);
    }

    /// <summary>
    /// Appends the tracks of source <paramref name="sourceIndex"/> after its last update to <paramref name="destination"/>
    /// (as <see cref="ByteTracker.CopyTracks"/>) and returns that tracker's frame number, or 0 when the source has no tracker.
    /// </summary>
    public long CopyTracks(int sourceIndex, List<TrackSnapshot> destination)
    {
        ByteTracker? tracker;
        lock (_lock)
        {
            _trackers.TryGetValue(sourceIndex, out tracker);
        }

        if (tracker is null)
        {
            return 0;
        }

        tracker.CopyTracks(destination);
        return tracker.FrameNumber;
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
