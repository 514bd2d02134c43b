using System.Buffers;

namespace StreamSeg.Web;

/// <summary>One encoded JPEG in a pooled array, shared by the sink and any number of HTTP clients through reference counting.</summary>
/// <remarks>
/// The sink publishes a buffer with one reference (its own). A client that sends it takes a reference under the
/// stream's lock and releases it when the write is done, so a slow client never holds up the sink: the sink simply
/// publishes the next buffer, and the array returns to the pool when the last holder releases it.
/// </remarks>
internal sealed class JpegBuffer
{
    private byte[]? _array;
    private int _references = 1;

    public JpegBuffer(int length, long sequence, long frameIndex)
    {
        _array = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        Length = length;
        Sequence = sequence;
        FrameIndex = frameIndex;
    }

    /// <summary>Gets the number of bytes of JPEG data.</summary>
    public int Length { get; }

    /// <summary>Gets the stream's publication counter of this buffer (1, 2, …).</summary>
    public long Sequence { get; }

    /// <summary>Gets the index of the frame it shows.</summary>
    public long FrameIndex { get; }

    /// <summary>Gets the JPEG data; valid while the caller holds a reference.</summary>
    public ReadOnlyMemory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(JpegBuffer))).AsMemory(0, Length);

    /// <summary>Gets the writable array while it is being filled by its creator.</summary>
    public Span<byte> WritableSpan => (_array ?? throw new ObjectDisposedException(nameof(JpegBuffer))).AsSpan(0, Length);

    /// <summary>Adds a holder; must be called under the lock that guards the publication of this buffer.</summary>
    public JpegBuffer AddReference()
    {
        Interlocked.Increment(ref _references);
        return this;
    }

    /// <summary>Releases a holder; the last one returns the array to the pool.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            byte[]? array = Interlocked.Exchange(ref _array, null);
            if (array is not null)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }
    }
}
