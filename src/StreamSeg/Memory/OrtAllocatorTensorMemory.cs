using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace StreamSeg.Memory;

/// <summary>
/// Tensor buffers allocated by an ONNX Runtime <see cref="OrtAllocator"/>: for CUDA and TensorRT sessions the
/// <c>CudaPinned</c> allocator (page-locked host memory, which the GPU reads by DMA, asynchronously, without the staging
/// copy pageable memory needs); any allocator works the same way (the CPU one in tests). Each buffer is made once, by a
/// <see cref="TensorPool"/>, and reused; the value over it owns the memory.
/// </summary>
/// <remarks>
/// A value made by an allocator must be released before the allocator, and pooled buffers may come back after their
/// pool, or this object, is disposed (a frame still holding its input). So the allocator is released only once this
/// object is disposed and the last of its buffers has been freed, on whichever thread that happens.
/// </remarks>
public sealed class OrtAllocatorTensorMemory : TensorMemory, IDisposable
{
    private readonly OrtAllocator _allocator;
    private readonly bool _ownsAllocator;
    private readonly Action _bufferFreed;
    private int _live;
    private long _created;
    private int _disposed;
    private int _allocatorReleased;

    /// <summary>Creates the memory over <paramref name="allocator"/>.</summary>
    /// <param name="allocator">The allocator the buffers come from.</param>
    /// <param name="name">What the memory is, for the start-up log.</param>
    /// <param name="pinned">Whether the allocator gives page-locked host memory.</param>
    /// <param name="ownsAllocator">Whether to release <paramref name="allocator"/> once disposed and every buffer is freed (false for <see cref="OrtAllocator.DefaultInstance"/>).</param>
    public OrtAllocatorTensorMemory(OrtAllocator allocator, string name, bool pinned, bool ownsAllocator)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _allocator = allocator;
        _ownsAllocator = ownsAllocator;
        Name = name;
        IsPinned = pinned;
        _bufferFreed = OnBufferFreed;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override bool IsPinned { get; }

    /// <summary>Gets how many buffers have been allocated.</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>Gets how many buffers are allocated and not yet freed.</summary>
    public int LiveBuffers => Volatile.Read(ref _live);

    /// <summary>Gets whether the allocator has been released (disposed, and every buffer freed).</summary>
    public bool AllocatorReleased => Volatile.Read(ref _allocatorReleased) != 0;

    /// <inheritdoc/>
    internal override TensorBuffer Create(long[] shape, TensorElement element)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        int count = checked((int)TensorBuffer.ElementCount(shape));
        Interlocked.Increment(ref _live);
        OrtValue? value = null;
        try
        {
            value = OrtValue.CreateAllocatedTensorValue(_allocator, ElementType(element), shape);
            TensorBuffer buffer = TensorBuffer.Native(value, element, count, _bufferFreed);
            Interlocked.Increment(ref _created);
            return buffer;
        }
        catch
        {
            value?.Dispose();
            OnBufferFreed();
            throw;
        }
    }

    /// <summary>Stops making buffers; the allocator is released once the last buffer is freed (now, if none is out).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && Volatile.Read(ref _live) == 0)
        {
            ReleaseAllocator();
        }
    }

    private static TensorElementType ElementType(TensorElement element) => element switch
    {
        TensorElement.Int32 => TensorElementType.Int32,
        TensorElement.UInt8 => TensorElementType.UInt8,
        _ => TensorElementType.Float,
    };

    private void OnBufferFreed()
    {
        if (Interlocked.Decrement(ref _live) == 0 && Volatile.Read(ref _disposed) != 0)
        {
            ReleaseAllocator();
        }
    }

    private void ReleaseAllocator()
    {
        // Dispose and the last buffer's release may both get here: the allocator is released once.
        if (Interlocked.Exchange(ref _allocatorReleased, 1) == 0 && _ownsAllocator)
        {
            _allocator.Dispose();
        }
    }
}
