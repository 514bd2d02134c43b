namespace StreamSeg.Inference;

/// <summary>One input's shapes in a TensorRT optimisation profile: the smallest, the one tuned for, the largest.</summary>
/// <param name="Input">The input's name.</param>
/// <param name="Min">The smallest shape the engine accepts.</param>
/// <param name="Opt">The shape the engine's kernels are chosen for.</param>
/// <param name="Max">The largest shape the engine accepts.</param>
public sealed record TensorRtShapeRange(string Input, IReadOnlyList<long> Min, IReadOnlyList<long> Opt, IReadOnlyList<long> Max)
{
    /// <summary>Gets whether <paramref name="shape"/> lies within <see cref="Min"/> and <see cref="Max"/>, dimension by dimension.</summary>
    public bool Covers(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count != Min.Count)
        {
            return false;
        }

        for (int i = 0; i < shape.Count; i++)
        {
            if (shape[i] < Min[i] || shape[i] > Max[i])
            {
                return false;
            }
        }

        return true;
    }
}
