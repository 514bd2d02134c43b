using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace StreamSeg.Inference;

/// <summary>
/// The cut tensors of a split model (<see cref="SplitBatchRunner"/>) for one input shape: one pinned buffer per tensor
/// with room for <see cref="Capacity"/> frames, an <see cref="OrtValue"/> over the first <c>count</c> frames' rows for
/// each batch size run (the batched part's output) and one over each frame's rows (the per-frame part's input), all
/// made once, so a batch allocates nothing native.
/// </summary>
/// <remarks>
/// Frame <c>b</c>'s rows sit at the same place whatever the batch size, so batches of every size share the buffers.
/// The per-frame part runs on each frame before the batch returns, so nothing outlives the batch's run. Not
/// thread-safe (the model's worker uses it).
/// </remarks>
internal sealed class CutBuffers : IDisposable
{
    private readonly TensorElementType[] _types;
    private readonly byte[][] _data;
    private readonly OrtValue[]?[] _whole;
    private readonly OrtValue[][] _rows;

    /// <summary>Creates the buffers for cut tensors of <paramref name="types"/> whose rows for one frame have <paramref name="rowShapes"/> (first dimension 1).</summary>
    public CutBuffers(TensorElementType[] types, long[][] rowShapes, int capacity)
    {
        _types = types;
        RowShapes = rowShapes;
        Capacity = capacity;
        _data = new byte[types.Length][];
        _whole = new OrtValue[]?[capacity + 1];
        _rows = new OrtValue[capacity][];
        for (int b = 0; b < capacity; b++)
        {
            _rows[b] = new OrtValue[types.Length];
        }

        for (int i = 0; i < types.Length; i++)
        {
            long rowBytes = RowBytes(i);

            // Pinned (on the pinned object heap): the values hold its address for the buffer's life.
            _data[i] = GC.AllocateUninitializedArray<byte>(checked((int)Math.Max(1, rowBytes * capacity)), pinned: true);
            for (int b = 0; b < capacity; b++)
            {
                _rows[b][i] = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, types[i], rowShapes[i], Address(i) + (nint)(b * rowBytes), rowBytes);
            }
        }
    }

    /// <summary>Gets how many frames' rows the buffers hold.</summary>
    public int Capacity { get; }

    /// <summary>Gets each cut tensor's shape for one frame (first dimension 1).</summary>
    public long[][] RowShapes { get; }

    /// <summary>Gets the values over the first <paramref name="count"/> frames' rows, in cut order: the batched part's outputs for a batch of that size.</summary>
    public IReadOnlyList<OrtValue> Whole(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Capacity);
        if (_whole[count] is OrtValue[] values)
        {
            return values;
        }

        values = new OrtValue[_types.Length];
        for (int i = 0; i < values.Length; i++)
        {
            long[] shape = [.. RowShapes[i]];
            shape[0] = count;
            values[i] = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, _types[i], shape, Address(i), RowBytes(i) * count);
        }

        _whole[count] = values;
        return values;
    }

    /// <summary>Gets the values over frame <paramref name="index"/>'s rows, in cut order: the per-frame part's inputs.</summary>
    public IReadOnlyList<OrtValue> Rows(int index) => _rows[index];

    /// <summary>Copies <paramref name="values"/> (the batched part's outputs of a run ONNX Runtime allocated for) into the first rows.</summary>
    public void CopyFrom(IReadOnlyList<OrtValue> values)
    {
        for (int i = 0; i < _data.Length; i++)
        {
            ReadOnlySpan<byte> source = values[i].GetTensorMutableRawData();
            source.CopyTo(_data[i]);
        }
    }

    /// <summary>Gets the size in bytes of one element of <paramref name="type"/>.</summary>
    /// <exception cref="NotSupportedException">Strings and other types without a fixed size.</exception>
    public static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Double => 8,
        TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        TensorElementType.Bool or TensorElementType.UInt8 or TensorElementType.Int8 => 1,
        _ => throw new NotSupportedException($"A cut tensor of element type {type} cannot be split by rows."),
    };

    /// <summary>Releases the values (the buffers are managed).</summary>
    public void Dispose()
    {
        foreach (OrtValue[]? values in _whole)
        {
            Array.ForEach(values ?? [], v => v.Dispose());
        }

        foreach (OrtValue[] row in _rows)
        {
            Array.ForEach(row, v => v.Dispose());
        }
    }

    private long RowBytes(int i)
    {
        long elements = 1;
        foreach (long d in RowShapes[i])
        {
            elements *= d;
        }

        return elements * ElementSize(_types[i]);
    }

    private nint Address(int i) => Marshal.UnsafeAddrOfPinnedArrayElement(_data[i], 0);
}
