using System.Collections.Concurrent;
using OpenCvSharp;
using StreamSeg.Frames;

namespace StreamSeg.Memory;

/// <summary>
/// A pool of BGR frames of one size. Frames are created on demand up to no limit, and reused after they are
/// disposed, so that steady state allocates no native image memory.
/// </summary>
public sealed class FramePool : IDisposable
{
    private readonly ConcurrentBag<Frame> _free = [];
    private readonly List<Frame> _all = [];
    private long _rented;
    private long _returned;
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
        if (!_free.TryTake(out Frame? frame))
        {
            frame = new Frame(this, new Mat(Height, Width, MatType.CV_8UC3));
            lock (_all)
            {
                _all.Add(frame);
            }
        }
        else
        {
            frame.Revive();
        }

        Interlocked.Increment(ref _rented);
        return frame;
    }

    internal void Return(Frame frame)
    {
        Interlocked.Increment(ref _returned);
        if (_disposed)
        {
            frame.Image.Dispose();
            return;
        }

        _free.Add(frame);
    }

    /// <summary>Releases the native buffers of every frame that is back in the pool.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        while (_free.TryTake(out Frame? frame))
        {
            frame.Image.Dispose();
        }
    }
}
