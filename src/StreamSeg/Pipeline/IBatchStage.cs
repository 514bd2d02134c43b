using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// A stage that can process several frames in one call, such as inference running one batched model call for frames
/// of several streams. The runner hands it the frames already queued on its input (at most
/// <see cref="MaxBatch"/>, never waiting for more), so batching adds no latency: a batch forms only when frames
/// arrive faster than the stage works.
/// </summary>
public interface IBatchStage : IStage<Frame, Frame>
{
    /// <summary>Gets the most frames one call may take (1 turns batching off).</summary>
    int MaxBatch { get; }

    /// <summary>
    /// Processes <paramref name="frames"/> in place, in order; each frame is then written downstream by the runner.
    /// The frames stay owned by the runner, which releases them if this throws.
    /// </summary>
    ValueTask ProcessBatchAsync(IReadOnlyList<Frame> frames, CancellationToken cancellationToken);
}
