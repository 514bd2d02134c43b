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
    private bool _disposed;

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
        ObjectDisposedException.ThrowIf(_disposed, this);
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
        if (_disposed)
        {
            buffer.Value.Dispose();
            return;
        }

        _free.Add(buffer);
    }

    internal void CountExtraRelease() => Interlocked.Increment(ref _extraReleases);

    /// <summary>Frees the tensors that are back in the pool.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_free.TryTake(out TensorBuffer? buffer))
        {
            buffer.Value.Dispose();
        }
    }
}
