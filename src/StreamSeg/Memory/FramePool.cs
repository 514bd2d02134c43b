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
    private bool _disposed;

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
        ObjectDisposedException.ThrowIf(_disposed, this);
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
        if (_disposed)
        {
            buffer.Image.Dispose();
            return;
        }

        _free.Add(buffer);
    }

    internal void CountExtraRelease() => Interlocked.Increment(ref _extraReleases);

    /// <summary>Releases the native buffers of every frame that is back in the pool.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        while (_free.TryTake(out FrameBuffer? buffer))
        {
            buffer.Image.Dispose();
        }
    }
}
