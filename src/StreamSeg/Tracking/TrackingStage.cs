using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Tracking;

/// <summary>
/// Gives every instance a stable track id with ByteTrack, one tracker per source, so masks and keypoints travel with
/// their track. Instances that do not (yet) belong to a confirmed track are not passed on.
/// </summary>
/// <remarks>
/// A frame flagged as a discontinuity (frames were dropped before it) is passed to the tracker with the flag, which
/// lets it predict across the gap. Example config: <c>track: true</c>.
/// </remarks>
public sealed class TrackingStage : IStage<Frame, Frame>, ISourceStateOwner
{
    private readonly MultiSourceTracker _tracker;

    /// <summary>Creates the stage with ByteTrack settings.</summary>
    public TrackingStage(ByteTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _tracker = new MultiSourceTracker(options);
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

        input.Instances = _tracker.Update(input.Instances ?? Instances.Empty, input.Meta);
        return ValueTask.FromResult(input);
    }

    /// <summary>Gets how many sources have tracks now.</summary>
    public int SourceCount => _tracker.SourceCount;

    /// <inheritdoc/>
    public void ForgetSource(int sourceIndex) => _tracker.Reset(sourceIndex);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
