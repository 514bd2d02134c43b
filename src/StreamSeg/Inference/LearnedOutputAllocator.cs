using StreamSeg.Memory;

namespace StreamSeg.Inference;

/// <summary>
/// Outputs whose shapes the signature leaves open but which follow the input (<see cref="Models.IModelAdapter.OutputShapesFollowInput"/>,
/// RVM at each frame size): the first run at an input shape lets ONNX Runtime allocate (and copies out); from then on
/// that input shape's outputs go into preallocated sets of the shapes it produced.
/// </summary>
/// <remarks>
/// Keyed by the input's shape and the frame size, so one session run at several input sizes (several sources, or
/// several scales of one frame) keeps a pool per size.
/// </remarks>
internal sealed class LearnedOutputAllocator : IOutputAllocator
{
    private readonly OrtOutputAllocator _firstRun = new();
    private readonly Dictionary<(long, long, long, long, int, int), OutputSetPool> _learned = [];

    /// <inheritdoc/>
    public ModelOutput Run(ModelSession session, PooledTensor input, IOutputObserver? observer)
    {
        (long, long, long, long, int, int) key = ShapeKey(input);
        if (_learned.TryGetValue(key, out OutputSetPool? sets))
        {
            return sets.Run(session, input.Transform, observer);
        }

        ModelOutput output = _firstRun.Run(session, input, observer);

        // From the next run of this input shape on, ONNX Runtime writes into buffers made for these shapes.
        _learned[key] = new OutputSetPool(session.OutputNames, Array.ConvertAll(output.Tensors, t => t.Shape));
        return output;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (OutputSetPool sets in _learned.Values)
        {
            sets.Dispose();
        }
    }

    /// <summary>The learned-shape key of a run: the input's dimensions (up to rank 4) and the frame size.</summary>
    private static (long, long, long, long, int, int) ShapeKey(PooledTensor input)
    {
        long[] s = input.Shape;
        return (s.Length > 0 ? s[0] : 0, s.Length > 1 ? s[1] : 0, s.Length > 2 ? s[2] : 0, s.Length > 3 ? s[3] : 0, input.Transform.SourceWidth, input.Transform.SourceHeight);
    }
}
