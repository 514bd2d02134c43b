using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Tracking;

/// <summary>
/// Gives every instance a stable track id with ByteTrack, one tracker per source, so masks and keypoints travel with
/// their track, and smooths the keypoints of each track over time (One Euro filter) where the source's settings ask
/// for it. Instances that do not (yet) belong to a confirmed track are not passed on.
/// </summary>
/// <remarks>
/// A frame flagged as a discontinuity (frames were dropped before it) is passed to the tracker with the flag, which
/// lets it predict across the gap, and restarts the keypoint filters. <c>streamseg track</c> replays recorded
/// detections through the same <see cref="MultiSourceTracker"/>. Example config: <c>track: true</c>, <c>smooth: true</c>.
/// </remarks>
public sealed class TrackingStage : IStage<Frame, Frame>, ISourceStateOwner
{
    private readonly MultiSourceTracker _tracker;
    private readonly Func<int, TrackingSourceSettings> _settingsForSource;

    // Per source: whether it is tracked, and its smoother (null when the source's settings have none). Guarded:
    // ForgetSource comes from another thread.
    private readonly Dictionary<int, (bool Enabled, KeypointSmoother? Smoother)> _sources = [];
    private readonly Lock _lock = new();

    /// <summary>Creates the stage with ByteTrack settings shared by every source, without keypoint smoothing.</summary>
    public TrackingStage(ByteTrackerOptions options)
        : this(options, _ => new TrackingSourceSettings(options))
    {
    }

    /// <summary>
    /// Creates the stage with settings per source: <paramref name="settingsForSource"/> is called with a source's index
    /// on its first frame (and again after <see cref="ForgetSource"/>); <paramref name="options"/> validates the shared
    /// defaults.
    /// </summary>
    public TrackingStage(ByteTrackerOptions options, Func<int, TrackingSourceSettings> settingsForSource)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settingsForSource);
        _settingsForSource = settingsForSource;
        _tracker = new MultiSourceTracker(options, source => settingsForSource(source).Tracker);
    }

    /// <inheritdoc/>
    public string Name => "tracking";

    /// <inheritdoc/>
    public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Meta.IsPlaceholder)
        {
            // Tracks are not aged by "offline" cards; the first real frame after them is flagged as a discontinuity.
            input.Instances = Instances.Empty;
            return ValueTask.FromResult(input);
        }

        (bool enabled, KeypointSmoother? smoother) = Source(input.Meta.SourceIndex);
        if (!enabled)
        {
            return ValueTask.FromResult(input);
        }

        Instances tracked = _tracker.Update(input.Instances ?? Instances.Empty, input.Meta);
        smoother?.Apply(tracked, input.Meta);
        input.Instances = tracked;
        return ValueTask.FromResult(input);
    }

    /// <summary>Gets how many sources have tracks now.</summary>
    public int SourceCount => _tracker.SourceCount;

    /// <inheritdoc/>
    public void ForgetSource(int sourceIndex)
    {
        _tracker.Reset(sourceIndex);
        lock (_lock)
        {
            _sources.Remove(sourceIndex);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private (bool Enabled, KeypointSmoother? Smoother) Source(int sourceIndex)
    {
        lock (_lock)
        {
            if (!_sources.TryGetValue(sourceIndex, out (bool Enabled, KeypointSmoother? Smoother) source))
            {
                TrackingSourceSettings settings = _settingsForSource(sourceIndex);
                source = (settings.Enabled, settings.Smoothing is null || !settings.Enabled ? null : new KeypointSmoother(settings.Smoothing, settings.Tracker.FrameRate));
                _sources.Add(sourceIndex, source);
            }

            return source;
        }
    }
}
