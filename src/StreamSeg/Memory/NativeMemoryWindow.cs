using System.Buffers;

namespace StreamSeg.Memory;

/// <summary>
/// A reusable <see cref="MemoryManager{T}"/> over native memory (a Mat's pixels), so that they can go to or come
/// from an async stream without a managed copy. The window is valid only until the next <see cref="Wrap"/> or
/// <see cref="Clear"/>, and never longer than the memory it wraps.
/// </summary>
public sealed unsafe class NativeMemoryWindow : MemoryManager<byte>
{
    private byte* _pointer;
    private int _length;

    /// <summary>Points the window at <paramref name="length"/> bytes at <paramref name="address"/> and returns it as <see cref="Memory{T}"/>.</summary>
    public Memory<byte> Wrap(IntPtr address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _pointer = (byte*)address;
        _length = length;
        return Memory;
    }

    /// <summary>Detaches the window from the memory.</summary>
    public void Clear()
    {
        _pointer = null;
        _length = 0;
    }

    /// <inheritdoc/>
    public override Span<byte> GetSpan() => new(_pointer, _length);

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    /// <inheritdoc/>
    public override void Unpin()
    {
        // Native memory does not move; there is nothing to unpin.
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing) => Clear();
}
