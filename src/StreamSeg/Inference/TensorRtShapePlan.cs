namespace StreamSeg.Inference;

/// <summary>
/// The input shapes a run will feed a model, from which its TensorRT optimisation profile is made
/// (<see cref="TensorRtProfile"/>): the sources' frame sizes and the most frames one call takes.
/// </summary>
/// <param name="FrameSizes">The sources' frame sizes (at least one); the first is the size the engine is tuned for.</param>
/// <param name="MaxBatch">The most frames one inference call stacks (1 when nothing batches).</param>
public sealed record TensorRtShapePlan(IReadOnlyList<FrameSize> FrameSizes, int MaxBatch)
{
    /// <summary>Creates the plan for one frame size.</summary>
    public TensorRtShapePlan(FrameSize frameSize, int maxBatch)
        : this([frameSize], maxBatch)
    {
    }

    /// <summary>The smallest batch a run uses: batches run from 1 to <see cref="MaxBatch"/> frames (what is queued, never waited for).</summary>
    public const int MinBatch = 1;
}
