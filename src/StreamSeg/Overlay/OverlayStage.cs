using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Overlay;

/// <summary>The pipeline stage that draws a frame's instances onto its image, in place, and passes the frame on.</summary>
/// <remarks>
/// Named <c>overlay</c>. Draws <see cref="Frame.Instances"/> (or nothing but the HUD, when the frame has none) with
/// the <see cref="IOverlay"/> given to the constructor, usually an <see cref="OverlayComposer"/>, and returns the
/// same frame: ownership passes through. Timing, queueing and fault wrapping belong to the runner. Settings are
/// fixed at construction. Example: <c>new OverlayStage(new OverlayComposer(new OverlayOptions { Hud = true }, stats))</c>.
/// </remarks>
public sealed class OverlayStage : IStage<Frame, Frame>
{
    private readonly IOverlay _overlay;

    /// <summary>Creates the stage around <paramref name="overlay"/>.</summary>
    public OverlayStage(IOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        _overlay = overlay;
    }

    /// <inheritdoc/>
    public string Name => "overlay";

    /// <inheritdoc/>
    public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (cancellationToken.IsCancellationRequested)
        {
            // The frame is ours from the call on, so it must not leak when we refuse it.
            input.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
        }

        _overlay.Draw(input, input.Instances ?? Instances.Empty);
        return ValueTask.FromResult(input);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
