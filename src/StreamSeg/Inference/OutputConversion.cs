using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StreamSeg.Models;

namespace StreamSeg.Inference;

/// <summary>
/// Copies outputs that ONNX Runtime allocated into float arrays rented from <see cref="ArrayPool{T}.Shared"/> (adapters
/// read floats: int64, int32, uint8 and bool outputs are widened), and gives them back.
/// </summary>
internal static class OutputConversion
{
    /// <summary>Copies <paramref name="value"/> (output <paramref name="name"/>) into a rented array.</summary>
    /// <exception cref="NotSupportedException">The element type is not float, int64, int32, uint8 or bool.</exception>
    public static RawTensor CopyToRented(string name, OrtValue value)
    {
        OrtTensorTypeAndShapeInfo info = value.GetTensorTypeAndShape();
        int count = checked((int)info.ElementCount);
        float[] buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, count));
        Span<float> dst = buffer.AsSpan(0, count);
        switch (info.ElementDataType)
        {
            case TensorElementType.Float:
                value.GetTensorDataAsSpan<float>().CopyTo(dst);
                break;
            case TensorElementType.Int64:
                Widen(value.GetTensorDataAsSpan<long>(), dst);
                break;
            case TensorElementType.Int32:
                Widen(value.GetTensorDataAsSpan<int>(), dst);
                break;
            case TensorElementType.Bool:
            case TensorElementType.UInt8:
                Widen(value.GetTensorDataAsSpan<byte>(), dst);
                break;
            default:
                ArrayPool<float>.Shared.Return(buffer);
                throw new NotSupportedException($"Output '{name}' has element type {info.ElementDataType}; expected float, int64, int32, uint8 or bool.");
        }

        return new RawTensor(name, info.Shape, buffer.AsMemory(0, count));
    }

    /// <summary>Copies <paramref name="data"/> into a rented array, as tensor <paramref name="name"/> of <paramref name="shape"/>.</summary>
    public static RawTensor CopyToRented(string name, long[] shape, ReadOnlySpan<float> data)
    {
        float[] buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, data.Length));
        data.CopyTo(buffer);
        return new RawTensor(name, shape, buffer.AsMemory(0, data.Length));
    }

    /// <summary>Releases an output whose tensors were rented here (the release callback of such outputs).</summary>
    public static void ReleaseRented(ModelOutput output) => ReturnRented(output.Tensors);

    /// <summary>Gives back the rented arrays of <paramref name="tensors"/> (null and empty entries are skipped).</summary>
    public static void ReturnRented(RawTensor?[] tensors)
    {
        foreach (RawTensor? t in tensors)
        {
            if (t is not null && MemoryMarshal.TryGetArray(t.Data, out ArraySegment<float> segment) && segment.Array is { Length: > 0 } array)
            {
                ArrayPool<float>.Shared.Return(array);
            }
        }
    }

    private static void Widen<T>(ReadOnlySpan<T> source, Span<float> destination)
        where T : INumberBase<T>
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = float.CreateTruncating(source[i]);
        }
    }
}
