using System.Buffers.Binary;
using Onnx;

namespace StreamSeg.Import;

/// <summary>Reads what <see cref="BatchAxisRules"/> needs of a constant tensor: its dims and, for a small numeric one, its values.</summary>
internal static class OnnxTensors
{
    /// <summary>Tensors up to this many elements have their values read (axes, shapes, scales); larger ones only their dims.</summary>
    private const int MaxValues = 64;

    /// <summary>Gets the constant fact of <paramref name="tensor"/>.</summary>
    public static TensorFact Fact(TensorProto tensor)
    {
        long[] dims = [.. tensor.Dims];
        long count = 1;
        foreach (long d in dims)
        {
            count *= d;
        }

        return new TensorFact(FactKind.Const) { Dims = dims, Values = count <= MaxValues ? Values(tensor, (int)count) : null };
    }

    private static double[]? Values(TensorProto t, int count)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            return null;
        }

        ReadOnlySpan<byte> raw = t.RawData.Span;
        int stored = raw.Length > 0 ? int.MaxValue : t.Int64Data.Count + t.Int32Data.Count + t.FloatData.Count + t.DoubleData.Count;
        if (stored < count)
        {
            return null;
        }

        var values = new double[count];
        switch ((TensorProto.Types.DataType)t.DataType)
        {
            case TensorProto.Types.DataType.Int64:
                for (int i = 0; i < count; i++)
                {
                    values[i] = raw.Length > 0 ? BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]) : t.Int64Data[i];
                }

                break;
            case TensorProto.Types.DataType.Int32:
                for (int i = 0; i < count; i++)
                {
                    values[i] = raw.Length > 0 ? BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]) : t.Int32Data[i];
                }

                break;
            case TensorProto.Types.DataType.Float:
                for (int i = 0; i < count; i++)
                {
                    values[i] = raw.Length > 0 ? BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]) : t.FloatData[i];
                }

                break;
            case TensorProto.Types.DataType.Double:
                for (int i = 0; i < count; i++)
                {
                    values[i] = raw.Length > 0 ? BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]) : t.DoubleData[i];
                }

                break;
            default:
                return null;
        }

        return values;
    }
}
