namespace StreamSeg.Import;

/// <summary>
/// A constant tensor decoded from a TF.js weights manifest. Floating-point values live in <see cref="Floats"/>,
/// integer values (int32, int64, uint8) in <see cref="Ints"/>, and booleans in <see cref="Bools"/>.
/// </summary>
public sealed class TensorData
{
    /// <summary>Creates a float tensor.</summary>
    public TensorData(long[] shape, float[] values)
    {
        DataType = TfDataType.Float;
        Shape = shape;
        Floats = values;
    }

    /// <summary>Creates an integer tensor of the given integer type.</summary>
    public TensorData(TfDataType dataType, long[] shape, long[] values)
    {
        DataType = dataType;
        Shape = shape;
        Ints = values;
    }

    /// <summary>Creates a boolean tensor.</summary>
    public TensorData(long[] shape, bool[] values)
    {
        DataType = TfDataType.Bool;
        Shape = shape;
        Bools = values;
    }

    /// <summary>The element type.</summary>
    public TfDataType DataType { get; private init; }

    /// <summary>The TF (row-major) shape; empty for a scalar.</summary>
    public long[] Shape { get; }

    /// <summary>Float values, when <see cref="DataType"/> is float.</summary>
    public float[]? Floats { get; }

    /// <summary>Integer values, when <see cref="DataType"/> is an integer type.</summary>
    public long[]? Ints { get; }

    /// <summary>Boolean values, when <see cref="DataType"/> is bool.</summary>
    public bool[]? Bools { get; }

    /// <summary>The number of elements.</summary>
    public long ElementCount => Floats?.Length ?? Ints?.Length ?? Bools!.Length;

    /// <summary>Reads element <paramref name="index"/> as a double.</summary>
    public double GetDouble(long index) =>
        Floats is not null ? Floats[index] : Ints is not null ? Ints[index] : (Bools![index] ? 1 : 0);

    /// <summary>Reads every element as a 64-bit integer (floats truncated).</summary>
    public long[] ToInt64Array()
    {
        if (Ints is not null)
        {
            return Ints;
        }

        var result = new long[ElementCount];
        for (long i = 0; i < result.Length; i++)
        {
            result[i] = (long)GetDouble(i);
        }

        return result;
    }

    /// <summary>Returns this tensor converted to <paramref name="target"/> (as TF's <c>Cast</c> would).</summary>
    public TensorData CastTo(TfDataType target)
    {
        if (target == DataType)
        {
            return this;
        }

        long n = ElementCount;
        switch (target)
        {
            case TfDataType.Float:
            case TfDataType.Half:
            case TfDataType.Double:
                var f = new float[n];
                for (long i = 0; i < n; i++)
                {
                    f[i] = (float)GetDouble(i);
                }

                return new TensorData(Shape, f);
            case TfDataType.Bool:
                var b = new bool[n];
                for (long i = 0; i < n; i++)
                {
                    b[i] = GetDouble(i) != 0;
                }

                return new TensorData(Shape, b);
            default:
                var v = new long[n];
                for (long i = 0; i < n; i++)
                {
                    v[i] = (long)GetDouble(i);
                }

                return new TensorData(target, Shape, v);
        }
    }
}
