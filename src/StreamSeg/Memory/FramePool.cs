using System.Collections.Concurrent;
using OpenCvSharp;
using StreamSeg.Frames;

namespace StreamSeg.Memory;

/// <summary>
/// A pool of BGR frames of one size. Frame buffers are created on demand up to no limit, and reused after their
/// frame is disposed, so that steady state allocates no native image memory.
/// </summary>
/// <remarks>
/// What is pooled is the buffer (native image, metadata); each rent hands out a new <see cref="Frame"/> lease over
/// one, so a late or repeated release through an old lease cannot return a buffer that has been rented again.
/// </remarks>
public sealed class FramePool : IDisposable
{
    private readonly ConcurrentBag<FrameBuffer> _free = [];
    private readonly List<FrameBuffer> _all = [];
    private long _rented;
    private long _returned;
    private long _extraReleases;

    // 0 or 1, read and written across threads: a frame or tensor comes back on whichever thread released it last,
    // possibly while the owner disposes the pool.
    private int _disposed;

    /// <summary>Creates a pool of frames of <paramref name="width"/>×<paramref name="height"/> BGR pixels.</summary>
    public FramePool(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
    }

    /// <summary>Gets the frame width.</summary>
    public int Width { get; }

    /// <summary>Gets the frame height.</summary>
    public int Height { get; }

    /// <summary>Gets how many frames have been rented.</summary>
    public long Rented => Interlocked.Read(ref _rented);

    /// <summary>Gets how many frames have come back.</summary>
    public long Returned => Interlocked.Read(ref _returned);

    /// <summary>
    /// Gets how many times a frame of this pool was disposed after its last holder had already released it: a bug in
    /// the caller, made harmless by the per-rent lease and counted here so that tests can see it.
    /// </summary>
    public long ExtraReleases => Interlocked.Read(ref _extraReleases);

    /// <summary>Gets how many distinct frames (native buffers) the pool has created.</summary>
    public int Created
    {
        get
        {
            lock (_all)
            {
                return _all.Count;
            }
        }
    }

    /// <summary>Rents a frame; the caller owns it and must dispose it.</summary>
    public Frame Rent()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_free.TryTake(out FrameBuffer? buffer))
        {
            buffer.Meta.Reset();
        }
        else
        {
            buffer = new FrameBuffer(new Mat(Height, Width, MatType.CV_8UC3));
            lock (_all)
            {
                _all.Add(buffer);
            }
        }

        Interlocked.Increment(ref _rented);
        return new Frame(this, buffer);
    }

    internal void Return(FrameBuffer buffer)
    {
        Interlocked.Increment(ref _returned);
        if (Volatile.Read(ref _disposed) != 0)
        {
            buffer.Image.Dispose();
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

    /// <summary>Releases the native buffers of every frame that is back in the pool.</summary>
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
        while (_free.TryTake(out FrameBuffer? buffer))
        {
            buffer.Image.Dispose();
        }
    }
}
