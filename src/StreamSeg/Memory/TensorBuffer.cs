using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace StreamSeg.Memory;

/// <summary>
/// The reusable part of a <see cref="PooledTensor"/>: its memory and the ONNX Runtime <see cref="OrtValue"/> over it,
/// made once. Either a managed array that the value pins for its whole life (<see cref="Managed"/>: the CPU path), or
/// memory ONNX Runtime allocated and the value owns (<see cref="Native"/>: for example CUDA pinned host memory). A
/// <see cref="TensorPool"/> keeps buffers; each rent wraps one in a new <see cref="PooledTensor"/> (the lease).
/// </summary>
internal sealed unsafe class TensorBuffer
{
    private readonly void* _data;
    private readonly Action? _freed;

    private TensorBuffer(OrtValue value, TensorElement element, int count, void* data, Action? freed)
    {
        Value = value;
        Element = element;
        Count = count;
        _data = data;
        _freed = freed;
    }

    /// <summary>Gets the byte buffer of a managed uint8 tensor (null otherwise).</summary>
    public byte[]? Bytes { get; private init; }

    /// <summary>Gets the float buffer of a managed float tensor (null otherwise).</summary>
    public float[]? Floats { get; private init; }

    /// <summary>Gets the int buffer of a managed int32 tensor (null otherwise).</summary>
    public int[]? Ints { get; private init; }

    /// <summary>Gets the ONNX Runtime value over the buffer.</summary>
    public OrtValue Value { get; }

    /// <summary>Gets the element type.</summary>
    public TensorElement Element { get; }

    /// <summary>Gets the number of elements.</summary>
    public int Count { get; }

    /// <summary>Gets whether the memory is native (ONNX Runtime's), not a managed array.</summary>
    public bool IsNative => _data is not null;

    /// <summary>Creates a managed buffer and its value for <paramref name="shape"/> and <paramref name="element"/>.</summary>
    public static TensorBuffer Managed(long[] shape, TensorElement element)
    {
        int count = checked((int)ElementCount(shape));
        switch (element)
        {
            case TensorElement.Int32:
                int[] ints = new int[count];
                return new TensorBuffer(OrtValue.CreateTensorValueFromMemory(ints, shape), element, count, null, null) { Ints = ints };
            case TensorElement.UInt8:
                byte[] bytes = new byte[count];
                return new TensorBuffer(OrtValue.CreateTensorValueFromMemory(bytes, shape), element, count, null, null) { Bytes = bytes };
            default:
                float[] floats = new float[count];
                return new TensorBuffer(OrtValue.CreateTensorValueFromMemory(floats, shape), element, count, null, null) { Floats = floats };
        }
    }

    /// <summary>
    /// Wraps a value whose memory ONNX Runtime allocated (<paramref name="value"/> owns it), of
    /// <paramref name="count"/> elements; <paramref name="freed"/> runs once the value is released.
    /// </summary>
    public static TensorBuffer Native(OrtValue value, TensorElement element, int count, Action? freed)
    {
        ArgumentNullException.ThrowIfNull(value);

        // The address is read once: the value keeps the memory where it is until it is released.
        Span<byte> raw = value.GetTensorMutableRawData();
        void* data = Unsafe.AsPointer(ref MemoryMarshal.GetReference(raw));
        return new TensorBuffer(value, element, count, data, freed);
    }

    /// <summary>Gets the elements as <typeparamref name="T"/> (the tensor's own element type).</summary>
    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        if (_data is not null)
        {
            return new Span<T>(_data, Count);
        }

        return Floats is not null ? MemoryMarshal.Cast<float, T>(Floats.AsSpan())
            : Ints is not null ? MemoryMarshal.Cast<int, T>(Ints.AsSpan())
            : MemoryMarshal.Cast<byte, T>(Bytes.AsSpan());
    }

    /// <summary>Releases the value (and with it native memory).</summary>
    public void Free()
    {
        Value.Dispose();
        _freed?.Invoke();
    }

    /// <summary>Gets the number of elements of <paramref name="shape"/>.</summary>
    public static long ElementCount(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (long d in shape)
        {
            count *= d;
        }

        return count;
    }
}
