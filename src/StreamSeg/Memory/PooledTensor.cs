using Microsoft.ML.OnnxRuntime;

namespace StreamSeg.Memory;

/// <summary>
/// A model input tensor whose managed buffer and ONNX Runtime <see cref="OrtValue"/> are created once and reused:
/// the value pins the buffer for its whole life, so binding it costs no native allocation per frame.
/// Exactly one of <see cref="Floats"/>, <see cref="Ints"/> and <see cref="Bytes"/> is set. Disposing returns it to its pool.
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

    /// <summary>Gets the byte buffer (uint8 tensors: pixels the model converts itself).</summary>
    public byte[]? Bytes => Live().Bytes;

    /// <summary>Gets the shape.</summary>
    public long[] Shape { get; }

    /// <summary>Gets the float buffer (float tensors).</summary>
    public float[]? Floats => Live().Floats;

    /// <summary>Gets the int buffer (int32 tensors).</summary>
    public int[]? Ints => Live().Ints;

    /// <summary>Gets the ONNX Runtime value over the buffer.</summary>
    public OrtValue Value => Live().Value;

    /// <summary>Gets or sets how the frame was placed into this tensor.</summary>
    public Preprocess.LetterboxTransform Transform { get; set; }

    /// <summary>Creates an int32 (<paramref name="isInt32"/>) or float32 tensor that is not pooled (warm-up, benchmarks, tests).</summary>
    public static PooledTensor CreateUnpooled(long[] shape, bool isInt32) => CreateUnpooled(shape, isInt32 ? TensorElement.Int32 : TensorElement.Float32);

    /// <summary>Creates a tensor of <paramref name="element"/> that is not pooled (warm-up, benchmarks, tests).</summary>
    public static PooledTensor CreateUnpooled(long[] shape, TensorElement element) => new(null, new TensorBuffer(shape, element), shape, element);

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
            _buffer.Value.Dispose();
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
