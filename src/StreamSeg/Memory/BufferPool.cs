using System.Collections.Concurrent;

namespace StreamSeg.Memory;

/// <summary>
/// The bookkeeping shared by <see cref="FramePool"/> and <see cref="TensorPool"/>: idle buffers, the rented /
/// returned / extra-release counters, and a dispose that is safe against buffers coming back on other threads.
/// </summary>
/// <typeparam name="T">The pooled buffer.</typeparam>
internal sealed class BufferPool<T>
    where T : class
{
    private readonly ConcurrentBag<T> _idle = [];
    private readonly Func<T> _create;
    private readonly Action<T> _free;
    private int _created;
    private long _rented;
    private long _returned;
    private long _extraReleases;

    // 0 or 1, read and written across threads: a buffer comes back on whichever thread released it last, possibly
    // while the owner disposes the pool.
    private int _disposed;

    /// <summary>Creates a pool that makes buffers with <paramref name="create"/> and frees them with <paramref name="free"/>.</summary>
    public BufferPool(Func<T> create, Action<T> free)
    {
        _create = create;
        _free = free;
    }

    /// <summary>Gets how many buffers the pool has created.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Gets how many buffers have been rented.</summary>
    public long Rented => Interlocked.Read(ref _rented);

    /// <summary>Gets how many buffers have come back.</summary>
    public long Returned => Interlocked.Read(ref _returned);

    /// <summary>Gets how many releases came after the lease had already been released.</summary>
    public long ExtraReleases => Interlocked.Read(ref _extraReleases);

    /// <summary>Gets how many buffers are idle now (0 once the pool is disposed and everything has come back).</summary>
    public int IdleCount => _idle.Count;

    /// <summary>Takes an idle buffer or creates one.</summary>
    /// <param name="owner">The public pool, named by the <see cref="ObjectDisposedException"/> once it is disposed.</param>
    public T Rent(object owner)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, owner);
        Interlocked.Increment(ref _rented);
        if (_idle.TryTake(out T? buffer))
        {
            return buffer;
        }

        Interlocked.Increment(ref _created);
        return _create();
    }

    /// <summary>Takes <paramref name="buffer"/> back, or frees it when the pool is disposed.</summary>
    public void Return(T buffer)
    {
        Interlocked.Increment(ref _returned);
        if (Volatile.Read(ref _disposed) != 0)
        {
            _free(buffer);
            return;
        }

        _idle.Add(buffer);

        // Dispose may have run between the check and the Add, and drained the bag before this buffer was in it: look
        // again (a full fence, so that this read cannot move before the Add) and free what is left. TryTake hands each
        // buffer to one thread only, so nothing is freed twice.
        if (Interlocked.CompareExchange(ref _disposed, 0, 0) != 0)
        {
            FreeIdle();
        }
    }

    /// <summary>Counts a release through a lease that had already been released.</summary>
    public void CountExtraRelease() => Interlocked.Increment(ref _extraReleases);

    /// <summary>Frees the idle buffers; those still out are freed as they come back.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            FreeIdle();
        }
    }

    private void FreeIdle()
    {
        while (_idle.TryTake(out T? buffer))
        {
            _free(buffer);
        }
    }
}
