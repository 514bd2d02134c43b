using System.Collections.Concurrent;

namespace StreamSeg.Memory;

/// <summary>A pool of <see cref="PooledTensor"/>s of one shape and element type.</summary>
public sealed class TensorPool : IDisposable
{
    private readonly ConcurrentBag<TensorBuffer> _free = [];
    private int _created;
    private long _rented;
    private long _returned;
    private long _extraReleases;

    // 0 or 1, read and written across threads: a frame or tensor comes back on whichever thread released it last,
    // possibly while the owner disposes the pool.
    private int _disposed;

    /// <summary>Creates a pool of tensors of <paramref name="shape"/> and <paramref name="element"/>.</summary>
    public TensorPool(long[] shape, TensorElement element)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
        Element = element;
    }

    /// <summary>Gets the shape.</summary>
    public long[] Shape { get; }

    /// <summary>Gets the element type.</summary>
    public TensorElement Element { get; }

    /// <summary>Gets how many tensors (buffers) the pool has created.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Gets how many tensors have been rented.</summary>
    public long Rented => Interlocked.Read(ref _rented);

    /// <summary>Gets how many tensors have come back.</summary>
    public long Returned => Interlocked.Read(ref _returned);

    /// <summary>Gets how many times a tensor of this pool was disposed again after it had come back (a caller's bug, made harmless).</summary>
    public long ExtraReleases => Interlocked.Read(ref _extraReleases);

    /// <summary>Rents a tensor; dispose it to return it.</summary>
    public PooledTensor Rent()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Interlocked.Increment(ref _rented);
        if (!_free.TryTake(out TensorBuffer? buffer))
        {
            Interlocked.Increment(ref _created);
            buffer = new TensorBuffer(Shape, Element);
        }

        return new PooledTensor(this, buffer, Shape, Element);
    }

    internal void Return(TensorBuffer buffer)
    {
        Interlocked.Increment(ref _returned);
        if (Volatile.Read(ref _disposed) != 0)
        {
            buffer.Value.Dispose();
            return;
        }

        _free.Add(buffer);

        // Dispose may have run between the check and the Add, and drained the bag before this buffer was in it: look
        // again (a full fence, so that this read cannot move before the Add) and free what is left. TryTake hands each
        // buffer to one thread only, so nothing is freed twice.
        if (Interlocked.CompareExchange(ref _disposed, 0, 0) != 0)
        {
            FreeIdle();
        }
    }

    /// <summary>Gets how many buffers are idle in the pool now (0 once it is disposed and everything has come back).</summary>
    internal int IdleCount => _free.Count;

    internal void CountExtraRelease() => Interlocked.Increment(ref _extraReleases);

    /// <summary>Frees the tensors that are back in the pool.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        FreeIdle();
    }

    private void FreeIdle()
    {
        while (_free.TryTake(out TensorBuffer? buffer))
        {
            buffer.Value.Dispose();
        }
    }
}
