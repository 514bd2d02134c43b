using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;

namespace StreamSeg.Memory;

/// <summary>
/// A model input tensor whose managed buffer and ONNX Runtime <see cref="OrtValue"/> are created once and reused:
/// the value pins the buffer for its whole life, so binding it costs no native allocation per frame.
/// Exactly one of <see cref="Floats"/>, <see cref="Ints"/> and <see cref="Bytes"/> is set. Disposing returns it to its pool.
/// </summary>
public sealed class PooledTensor : IDisposable
{
    private readonly TensorPool? _pool;

    internal PooledTensor(TensorPool? pool, long[] shape, TensorElement element)
    {
        _pool = pool;
        Shape = shape;
        Element = element;
        long count = 1;
        foreach (long d in shape)
        {
            count *= d;
        }

        switch (element)
        {
            case TensorElement.Int32:
                Ints = new int[count];
                Value = OrtValue.CreateTensorValueFromMemory(Ints, shape);
                break;
            case TensorElement.UInt8:
                Bytes = new byte[count];
                Value = OrtValue.CreateTensorValueFromMemory(Bytes, shape);
                break;
            default:
                Floats = new float[count];
                Value = OrtValue.CreateTensorValueFromMemory(Floats, shape);
                break;
        }
    }

    /// <summary>Gets the element type.</summary>
    public TensorElement Element { get; }

    /// <summary>Gets the byte buffer (uint8 tensors: pixels the model converts itself).</summary>
    public byte[]? Bytes { get; }

    /// <summary>Gets the shape.</summary>
    public long[] Shape { get; }

    /// <summary>Gets the float buffer (float tensors).</summary>
    public float[]? Floats { get; }

    /// <summary>Gets the int buffer (int32 tensors).</summary>
    public int[]? Ints { get; }

    /// <summary>Gets the ONNX Runtime value over the buffer.</summary>
    public OrtValue Value { get; }

    /// <summary>Gets or sets how the frame was placed into this tensor.</summary>
    public Preprocess.LetterboxTransform Transform { get; set; }

    /// <summary>Creates a tensor that is not pooled (warm-up, benchmarks, tests).</summary>
    public static PooledTensor CreateUnpooled(long[] shape, bool int32) => new(null, shape, int32 ? TensorElement.Int32 : TensorElement.Float32);

    /// <summary>Creates a tensor of <paramref name="element"/> that is not pooled (warm-up, benchmarks, tests).</summary>
    public static PooledTensor CreateUnpooled(long[] shape, TensorElement element) => new(null, shape, element);

    /// <summary>Returns the tensor to its pool (or frees it when unpooled or the pool is gone).</summary>
    public void Dispose()
    {
        if (_pool is null || !_pool.Return(this))
        {
            Value.Dispose();
        }
    }
}

/// <summary>A pool of <see cref="PooledTensor"/>s of one shape and element type.</summary>
public sealed class TensorPool : IDisposable
{
    private readonly ConcurrentBag<PooledTensor> _free = [];
    private bool _disposed;

    /// <summary>Creates a pool of tensors of <paramref name="shape"/> and <paramref name="element"/>.</summary>
    public TensorPool(long[] shape, TensorElement element)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
        Element = element;
    }

    /// <summary>Gets the shape.</summary>
    public long[] Shape { get; }

    /// <summary>Gets the element type.</summary>
    public TensorElement Element { get; }

    /// <summary>Gets how many tensors the pool has created.</summary>
    public int Created => _created;

    private int _created;

    /// <summary>Gets how many tensors have been rented.</summary>
    public long Rented => Interlocked.Read(ref _rented);

    /// <summary>Gets how many tensors have come back.</summary>
    public long Returned => Interlocked.Read(ref _returned);

    private long _rented;
    private long _returned;

    /// <summary>Rents a tensor; dispose it to return it.</summary>
    public PooledTensor Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _rented);
        if (_free.TryTake(out PooledTensor? tensor))
        {
            return tensor;
        }

        Interlocked.Increment(ref _created);
        return new PooledTensor(this, Shape, Element);
    }

    internal bool Return(PooledTensor tensor)
    {
        Interlocked.Increment(ref _returned);
        if (_disposed)
        {
            return false;
        }

        _free.Add(tensor);
        return true;
    }

    /// <summary>Frees the tensors that are back in the pool.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_free.TryTake(out PooledTensor? tensor))
        {
            tensor.Value.Dispose();
        }
    }
}
