namespace StreamSeg.Memory;

/// <summary>A pool of <see cref="PooledTensor"/>s of one shape and element type; tensors may come back on any thread.</summary>
public sealed class TensorPool : IDisposable
{
    private readonly BufferPool<TensorBuffer> _buffers;

    /// <summary>Creates a pool of tensors of <paramref name="shape"/> and <paramref name="element"/> in managed memory.</summary>
    public TensorPool(long[] shape, TensorElement element)
        : this(shape, element, TensorMemory.Managed)
    {
    }

    /// <summary>Creates a pool of tensors of <paramref name="shape"/> and <paramref name="element"/> whose buffers come from <paramref name="memory"/>.</summary>
    public TensorPool(long[] shape, TensorElement element, TensorMemory memory)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(memory);
        Shape = shape;
        Element = element;
        Memory = memory;
        _buffers = new BufferPool<TensorBuffer>(() => memory.Create(shape, element), static b => b.Free());
    }

    /// <summary>Gets where the buffers live.</summary>
    public TensorMemory Memory { get; }

    /// <summary>Gets the shape.</summary>
    public long[] Shape { get; }

    /// <summary>Gets the element type.</summary>
    public TensorElement Element { get; }

    /// <summary>Gets how many tensors (buffers) the pool has created.</summary>
    public int Created => _buffers.Created;

    /// <summary>Gets how many tensors have been rented.</summary>
    public long Rented => _buffers.Rented;

    /// <summary>Gets how many tensors have come back.</summary>
    public long Returned => _buffers.Returned;

    /// <summary>Gets how many times a tensor of this pool was disposed again after it had come back (a caller's bug, made harmless).</summary>
    public long ExtraReleases => _buffers.ExtraReleases;

    /// <summary>Gets how many buffers are idle in the pool now (0 once it is disposed and everything has come back).</summary>
    internal int IdleCount => _buffers.IdleCount;

    /// <summary>Rents a tensor; dispose it to return it.</summary>
    public PooledTensor Rent() => new(this, _buffers.Rent(this), Shape, Element);

    internal void Return(TensorBuffer buffer) => _buffers.Return(buffer);

    internal void CountExtraRelease() => _buffers.CountExtraRelease();

    /// <summary>Frees the tensors that are back in the pool (the others as they come back).</summary>
    public void Dispose() => _buffers.Dispose();
}
