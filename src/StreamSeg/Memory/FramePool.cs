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
/// Frames may come back on any thread, also while the pool is being disposed.
/// </remarks>
public sealed class FramePool : IDisposable
{
    private readonly BufferPool<FrameBuffer> _buffers;

    /// <summary>Creates a pool of frames of <paramref name="width"/>×<paramref name="height"/> BGR pixels.</summary>
    public FramePool(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        _buffers = new BufferPool<FrameBuffer>(() => new FrameBuffer(new Mat(height, width, MatType.CV_8UC3)), static b => b.Image.Dispose());
    }

    /// <summary>Gets the frame width.</summary>
    public int Width { get; }

    /// <summary>Gets the frame height.</summary>
    public int Height { get; }

    /// <summary>Gets how many frames have been rented.</summary>
    public long Rented => _buffers.Rented;

    /// <summary>Gets how many frames have come back.</summary>
    public long Returned => _buffers.Returned;

    /// <summary>
    /// Gets how many times a frame of this pool was disposed after its last holder had already released it: a bug in
    /// the caller, made harmless by the per-rent lease and counted here so that tests can see it.
    /// </summary>
    public long ExtraReleases => _buffers.ExtraReleases;

    /// <summary>Gets how many distinct frames (native buffers) the pool has created.</summary>
    public int Created => _buffers.Created;

    /// <summary>Gets how many buffers are idle in the pool now (0 once it is disposed and everything has come back).</summary>
    internal int IdleCount => _buffers.IdleCount;

    /// <summary>Rents a frame; the caller owns it and must dispose it.</summary>
    public Frame Rent()
    {
        FrameBuffer buffer = _buffers.Rent(this);
        buffer.Meta.Reset();
        return new Frame(this, buffer);
    }

    internal void Return(FrameBuffer buffer) => _buffers.Return(buffer);

    internal void CountExtraRelease() => _buffers.CountExtraRelease();

    /// <summary>Releases the native buffers of every frame that is back in the pool (the others as they come back).</summary>
    public void Dispose() => _buffers.Dispose();
}
