using Microsoft.ML.OnnxRuntime;

namespace StreamSeg.Memory;

/// <summary>
/// The reusable part of a <see cref="PooledTensor"/>: a managed buffer and the ONNX Runtime <see cref="OrtValue"/>
/// that pins it for its whole life. A <see cref="TensorPool"/> keeps buffers; each rent wraps one in a new
/// <see cref="PooledTensor"/> (the lease).
/// </summary>
internal sealed class TensorBuffer
{
    /// <summary>Creates the buffer and its value for <paramref name="shape"/> and <paramref name="element"/>.</summary>
    public TensorBuffer(long[] shape, TensorElement element)
    {
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

    /// <summary>Gets the byte buffer (uint8 tensors).</summary>
    public byte[]? Bytes { get; }

    /// <summary>Gets the float buffer (float tensors).</summary>
    public float[]? Floats { get; }

    /// <summary>Gets the int buffer (int32 tensors).</summary>
    public int[]? Ints { get; }

    /// <summary>Gets the ONNX Runtime value over the buffer.</summary>
    public OrtValue Value { get; }
}
