using StreamSeg.Memory;

namespace StreamSeg.Preprocess;

/// <summary>The input tensors prepared for one frame, one per model in model order; owned by the frame until inference has used them.</summary>
public sealed class ModelInputs : IDisposable
{
    /// <summary>Creates the set; it takes ownership of <paramref name="tensors"/>.</summary>
    public ModelInputs(PooledTensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Tensors = tensors;
    }

    /// <summary>Gets the tensors, one per model.</summary>
    public PooledTensor[] Tensors { get; }

    /// <summary>Returns every tensor to its pool.</summary>
    public void Dispose()
    {
        foreach (PooledTensor tensor in Tensors)
        {
            tensor.Dispose();
        }
    }
}
