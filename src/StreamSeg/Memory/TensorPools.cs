namespace StreamSeg.Memory;

/// <summary>
/// One <see cref="TensorPool"/> per shape and element type, created on first use: how a stage that meets several
/// input sizes keeps every tensor pooled. Looking a pool up allocates nothing. Not thread-safe: one owner.
/// </summary>
public sealed class TensorPools : IDisposable
{
    private readonly List<TensorPool> _pools = [];

    /// <summary>Creates pools whose tensors are managed arrays (the CPU path).</summary>
    public TensorPools()
        : this(TensorMemory.Managed)
    {
    }

    /// <summary>Creates pools whose tensors' buffers come from <paramref name="memory"/> (for example CUDA pinned host memory).</summary>
    public TensorPools(TensorMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        Memory = memory;
    }

    /// <summary>Gets where the tensors' buffers live.</summary>
    public TensorMemory Memory { get; }

    /// <summary>Gets how many buffers every pool has created (one per tensor alive at once, per shape: flat after warm-up).</summary>
    public long Created => Sum(static pool => pool.Created);

    /// <summary>Gets how many tensors have been rented from every pool.</summary>
    public long Rented => Sum(static pool => pool.Rented);

    /// <summary>Gets how many tensors have come back to every pool.</summary>
    public long Returned => Sum(static pool => pool.Returned);

    /// <summary>Rents a tensor of <paramref name="shape"/> and <paramref name="element"/>; dispose it to return it.</summary>
    public PooledTensor Rent(long[] shape, TensorElement element)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (TensorPool pool in _pools)
        {
            if (pool.Element == element && pool.Shape.AsSpan().SequenceEqual(shape))
            {
                return pool.Rent();
            }
        }

        // A handful of shapes at most (one per model and frame size, or per batch size): a list beats hashing arrays.
        var created = new TensorPool([.. shape], element, Memory);
        _pools.Add(created);
        return created.Rent();
    }

    private long Sum(Func<TensorPool, long> counter)
    {
        long sum = 0;
        foreach (TensorPool pool in _pools)
        {
            sum += counter(pool);
        }

        return sum;
    }

    /// <summary>Frees the tensors that are back in their pools.</summary>
    public void Dispose()
    {
        foreach (TensorPool pool in _pools)
        {
            pool.Dispose();
        }
    }
}
