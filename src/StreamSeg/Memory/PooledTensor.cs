using Microsoft.ML.OnnxRuntime;

namespace StreamSeg.Memory;

/// <summary>
/// A model input tensor whose buffer and ONNX Runtime <see cref="OrtValue"/> are created once and reused, so binding it
/// costs no native allocation per frame. The buffer is a managed array the value pins for its whole life, or memory
/// ONNX Runtime allocated (<see cref="TensorMemory"/>: CUDA pinned host memory for GPU sessions). Write it through
/// <see cref="FloatData"/>, <see cref="IntData"/> or <see cref="ByteData"/> (either memory); the arrays
/// <see cref="Floats"/>, <see cref="Ints"/> and <see cref="Bytes"/> exist for managed buffers only, exactly one of them
/// set. Disposing returns it to its pool.
/// </summary>
/// <remarks>
/// Each rent returns a new <see cref="PooledTensor"/> (a lease) over a pooled buffer, released at most once: a
/// second <see cref="Dispose"/> is a no-op counted in <see cref="TensorPool.ExtraReleases"/> (not an exception, since
/// Dispose must be safe to repeat and runs in <c>finally</c> blocks), so a buffer can never be in the pool twice nor be
/// returned by a holder whose lease has ended. The buffer members throw <see cref="ObjectDisposedException"/> once the
/// lease is released, so a stale holder cannot write into the next renter's input.
/// </remarks>
public sealed class PooledTensor : IDisposable
{
    private readonly TensorPool? _pool;
    private readonly TensorBuffer _buffer;
    private int _released;

    internal PooledTensor(TensorPool? pool, TensorBuffer buffer, long[] shape, TensorElement element)
    {
        _pool = pool;
        _buffer = buffer;
        Shape = shape;
        Element = element;
    }

    /// <summary>Gets the element type.</summary>
    public TensorElement Element { get; }

    /// <summary>Gets the byte array of a managed uint8 tensor (pixels the model converts itself); null for other types or native memory.</summary>
    public byte[]? Bytes => Live().Bytes;

    /// <summary>Gets the elements of a uint8 tensor, in managed or native memory (empty for other element types).</summary>
    public Span<byte> ByteData => Element == TensorElement.UInt8 ? Live().AsSpan<byte>() : default;

    /// <summary>Gets the elements of a float tensor, in managed or native memory (empty for other element types).</summary>
    public Span<float> FloatData => Element == TensorElement.Float32 ? Live().AsSpan<float>() : default;

    /// <summary>Gets the elements of an int32 tensor, in managed or native memory (empty for other element types).</summary>
    public Span<int> IntData => Element == TensorElement.Int32 ? Live().AsSpan<int>() : default;

    /// <summary>Gets the memory the tensor's pool makes buffers in (<see cref="TensorMemory.Managed"/> for an unpooled tensor).</summary>
    public TensorMemory Memory => _pool?.Memory ?? TensorMemory.Managed;

    /// <summary>Gets whether the buffer is memory ONNX Runtime allocated (for example CUDA pinned host memory), not a managed array.</summary>
    public bool IsNative => Live().IsNative;

    /// <summary>Gets the shape.</summary>
    public long[] Shape { get; }

    /// <summary>Gets the float array of a managed float tensor; null for other types or native memory.</summary>
    public float[]? Floats => Live().Floats;

    /// <summary>Gets the int array of a managed int32 tensor; null for other types or native memory.</summary>
    public int[]? Ints => Live().Ints;

    /// <summary>Gets the ONNX Runtime value over the buffer.</summary>
    public OrtValue Value => Live().Value;

    /// <summary>Gets or sets how the frame was placed into this tensor.</summary>
    public Preprocess.LetterboxTransform Transform { get; set; }

    /// <summary>Creates an int32 (<paramref name="isInt32"/>) or float32 tensor that is not pooled (warm-up, benchmarks, tests).</summary>
    public static PooledTensor CreateUnpooled(long[] shape, bool isInt32) => CreateUnpooled(shape, isInt32 ? TensorElement.Int32 : TensorElement.Float32);

    /// <summary>Creates a tensor of <paramref name="element"/> that is not pooled (warm-up, benchmarks, tests).</summary>
    public static PooledTensor CreateUnpooled(long[] shape, TensorElement element) => new(null, TensorBuffer.Managed(shape, element), shape, element);

    /// <summary>Returns the tensor to its pool (or frees it when unpooled or the pool is gone); a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            _pool?.CountExtraRelease();
            return;
        }

        if (_pool is null)
        {
            _buffer.Free();
        }
        else
        {
            _pool.Return(_buffer);
        }
    }

    private TensorBuffer Live()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
        return _buffer;
    }
}
