using StreamSeg.Memory;

namespace StreamSeg.Inference;

/// <summary>
/// Outputs of shapes known at load (every dimension static, or the rows of a free batch dimension): ONNX Runtime
/// writes them straight into preallocated sets that are reused once their output is disposed.
/// </summary>
internal sealed class StaticOutputAllocator : IOutputAllocator
{
    private readonly OutputSetPool _sets;

    /// <summary>Creates the allocator for outputs <paramref name="names"/> of <paramref name="shapes"/>.</summary>
    public StaticOutputAllocator(string[] names, long[][] shapes)
    {
        _sets = new OutputSetPool(names, shapes);
    }

    /// <inheritdoc/>
    public ModelOutput Run(ModelSession session, PooledTensor input, IOutputObserver? observer) =>
        _sets.Run(session, input.Transform, observer);

    /// <inheritdoc/>
    public void Dispose() => _sets.Dispose();
}
