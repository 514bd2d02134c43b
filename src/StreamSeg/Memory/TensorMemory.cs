namespace StreamSeg.Memory;

/// <summary>
/// Where the buffers of pooled model input tensors live: managed arrays (<see cref="Managed"/>, the CPU provider's
/// memory, as always) or memory a provider allocates, such as page-locked host memory for CUDA and TensorRT
/// (<see cref="OrtAllocatorTensorMemory"/>, from <see cref="Inference.PinnedHostMemorySource"/>). A <see cref="TensorPool"/> makes each buffer once, from its memory,
/// and reuses it; nothing is allocated per frame.
/// </summary>
public abstract class TensorMemory
{
    /// <summary>Gets managed memory: arrays that ONNX Runtime reads in place (the CPU path).</summary>
    public static TensorMemory Managed { get; } = new ManagedTensorMemory();

    /// <summary>Gets what the memory is, for the start-up log (for example <c>managed</c> or <c>CUDA pinned host</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Gets whether the buffers are page-locked host memory a GPU copies from without a staging copy.</summary>
    public abstract bool IsPinned { get; }

    /// <summary>Makes one buffer of <paramref name="shape"/> and <paramref name="element"/> (once per pooled buffer, never per frame).</summary>
    internal abstract TensorBuffer Create(long[] shape, TensorElement element);
}
