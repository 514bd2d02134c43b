using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace StreamSeg.Inference;

/// <summary>
/// The cut tensors of a split model (<see cref="SplitBatchRunner"/>) for one input shape and batch size: one pinned
/// buffer per tensor, an <see cref="OrtValue"/> over the whole of it (the batched part's output) and one over each
/// frame's rows (the per-frame part's input), all made once, so a batch allocates nothing native.
/// </summary>
/// <remarks>
/// The per-frame part runs on each frame before the batch returns, so one set per shape is enough: nothing outlives
/// the batch's run. Not thread-safe (the model's worker uses it).
/// </remarks>
internal sealed class CutBuffers : IDisposable
{
    private readonly OrtValue[] _whole;
    private readonly OrtValue[][] _rows;
    private readonly byte[][] _data;

    /// <summary>Creates the buffers for cut tensors of <paramref name="types"/> and batch <paramref name="shapes"/> (first dimension <paramref name="count"/>).</summary>
    public CutBuffers(TensorElementType[] types, long[][] shapes, int count)
    {
        _data = new byte[types.Length][];
        _whole = new OrtValue[types.Length];
        _rows = new OrtValue[count][];
        RowShapes = new long[types.Length][];
        for (int b = 0; b < count; b++)
        {
            _rows[b] = new OrtValue[types.Length];
        }

        for (int i = 0; i < types.Length; i++)
        {
            long elements = 1;
            foreach (long d in shapes[i])
            {
                elements *= d;
            }

            long bytes = elements * ElementSize(types[i]);
            long rowBytes = bytes / count;

            // Pinned (on the pinned object heap): the values hold its address for the buffer's life.
            _data[i] = GC.AllocateUninitializedArray<byte>(checked((int)Math.Max(1, bytes)), pinned: true);
            nint address = Marshal.UnsafeAddrOfPinnedArrayElement(_data[i], 0);
            _whole[i] = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, types[i], shapes[i], address, bytes);
            RowShapes[i] = [1, .. shapes[i].AsSpan(1)];
            for (int b = 0; b < count; b++)
            {
                _rows[b][i] = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, types[i], RowShapes[i], address + (nint)(b * rowBytes), rowBytes);
            }
        }
    }

    /// <summary>Gets the values over the whole buffers, in cut order: the batched part's outputs.</summary>
    public IReadOnlyList<OrtValue> Whole => _whole;

    /// <summary>Gets each cut tensor's shape for one frame (first dimension 1).</summary>
    public long[][] RowShapes { get; }

    /// <summary>Gets the values over frame <paramref name="index"/>'s rows, in cut order: the per-frame part's inputs.</summary>
    public IReadOnlyList<OrtValue> Rows(int index) => _rows[index];

    /// <summary>Copies <paramref name="values"/> (the batched part's outputs of a run ONNX Runtime allocated for) into the buffers.</summary>
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
        foreach (OrtValue v in _whole)
        {
            v.Dispose();
        }

        foreach (OrtValue[] row in _rows)
        {
            foreach (OrtValue v in row)
            {
                v.Dispose();
            }
        }
    }
}
