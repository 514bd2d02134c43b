using Microsoft.ML.OnnxRuntime;
using StreamSeg.Memory;
using StreamSeg.Models;

namespace StreamSeg.Inference;

/// <summary>
/// Runs a model once on several inputs of one shape (frames of several streams): stacks them along the first
/// dimension into a pooled batch tensor and hands back one output per input, in order.
/// </summary>
/// <remarks>
/// When the outputs' rows have static shapes, ONNX Runtime writes into a preallocated set per batch size and each
/// frame's output is a view of its rows; the set goes back to its pool when the last output of the batch is disposed.
/// Otherwise ONNX Runtime allocates and each frame's rows are copied into rented arrays. Not thread-safe: one worker
/// runs the model; outputs may be disposed on any thread.
/// </remarks>
internal sealed class BatchRunner : IDisposable
{
    private readonly string _modelFile;
    private readonly string _inputName;
    private readonly long[][]? _rowShapes;
    private readonly Dictionary<TensorMemory, TensorPools> _inputs = [];
    private readonly Dictionary<int, OutputSetPool> _setsByCount = [];

    /// <summary>Creates the runner.</summary>
    /// <param name="modelFile">The model's file name, for messages.</param>
    /// <param name="inputName">The image input the batch is bound to.</param>
    /// <param name="rowShapes">Each output's shape for one frame (first dimension 1) when all are static floats; otherwise null.</param>
    public BatchRunner(string modelFile, string inputName, long[][]? rowShapes)
    {
        _modelFile = modelFile;
        _inputName = inputName;
        _rowShapes = rowShapes;
    }

    /// <summary>Gets the outputs' static row shapes, or null when the outputs are copied out.</summary>
    public long[][]? RowShapes => _rowShapes;

    /// <summary>Runs <paramref name="session"/> once on <paramref name="inputs"/> (two or more, one shape and type).</summary>
    /// <exception cref="ArgumentException">The inputs differ in shape or type.</exception>
    public ModelOutput[] Run(ModelSession session, IReadOnlyList<PooledTensor> inputs)
    {
        long[] one = inputs[0].Shape;
        for (int b = 1; b < inputs.Count; b++)
        {
            if (!inputs[b].Shape.AsSpan().SequenceEqual(one) || inputs[b].Element != inputs[0].Element)
            {
                throw new ArgumentException($"A batch needs inputs of one shape and type; got {ShapeText(one)} and {ShapeText(inputs[b].Shape)}.", nameof(inputs));
            }
        }

        using PooledTensor batch = Stack(inputs);
        session.BindInput(_inputName, batch.Value);
        return _rowShapes is not null ? RunPreallocated(session, inputs) : RunCopied(session, inputs);
    }

    /// <summary>Frees the batch inputs and output sets.</summary>
    public void Dispose()
    {
        foreach (TensorPools pools in _inputs.Values)
        {
            pools.Dispose();
        }

        foreach (OutputSetPool sets in _setsByCount.Values)
        {
            sets.Dispose();
        }
    }

    private PooledTensor Stack(IReadOnlyList<PooledTensor> inputs)
    {
        long[] shape = [.. inputs[0].Shape];
        shape[0] = inputs.Count * shape[0];
        // Stacked in the memory the frames' tensors are in: CUDA pinned host memory for a model on a GPU.
        TensorMemory memory = inputs[0].Memory;
        if (!_inputs.TryGetValue(memory, out TensorPools? pools))
        {
            pools = new TensorPools(memory);
            _inputs[memory] = pools;
        }

        PooledTensor batch = pools.Rent(shape, inputs[0].Element);
        for (int b = 0; b < inputs.Count; b++)
        {
            switch (batch.Element)
            {
                case TensorElement.Int32:
                    CopyRow(inputs[b].IntData, batch.IntData, b);
                    break;
                case TensorElement.UInt8:
                    CopyRow(inputs[b].ByteData, batch.ByteData, b);
                    break;
                default:
                    CopyRow(inputs[b].FloatData, batch.FloatData, b);
                    break;
            }
        }

        return batch;
    }

    private static void CopyRow<T>(Span<T> row, Span<T> batch, int index) => row.CopyTo(batch[(index * row.Length)..]);

    private ModelOutput[] RunPreallocated(ModelSession session, IReadOnlyList<PooledTensor> inputs)
    {
        int count = inputs.Count;
        string[] names = session.OutputNames;
        if (!_setsByCount.TryGetValue(count, out OutputSetPool? sets))
        {
            var shapes = new long[names.Length][];
            for (int i = 0; i < shapes.Length; i++)
            {
                shapes[i] = [.. _rowShapes![i]];
                shapes[i][0] = count;
            }

            sets = new OutputSetPool(names, shapes);
            _setsByCount[count] = sets;
        }

        OutputSet set = sets.Rent();
        session.BindOutputs(set.Values, neededOnly: false);
        try
        {
            session.Run();
        }
        catch
        {
            sets.Return(set);
            throw;
        }

        var lease = new BatchLease(set, sets, count);
        var outputs = new ModelOutput[count];
        for (int b = 0; b < count; b++)
        {
            var tensors = new RawTensor[names.Length];
            for (int i = 0; i < tensors.Length; i++)
            {
                int per = checked((int)(set.Tensors[i].ElementCount / count));
                tensors[i] = new RawTensor(names[i], _rowShapes![i], set.Tensors[i].Data.Slice(b * per, per));
            }

            int index = b;
            outputs[b] = new ModelOutput(tensors, inputs[b].Transform, _ => lease.Release(index));
        }

        return outputs;
    }

    private ModelOutput[] RunCopied(ModelSession session, IReadOnlyList<PooledTensor> inputs)
    {
        int count = inputs.Count;
        string[] names = session.OutputNames;
        session.BindOutputsToCpu(neededOnly: false);
        session.Run();
        using IDisposableReadOnlyCollection<OrtValue> values = session.GetOutputValues();
        var outputs = new ModelOutput[count];
        var columns = new RawTensor[values.Count];
        try
        {
            for (int i = 0; i < values.Count; i++)
            {
                columns[i] = OutputConversion.CopyToRented(names[i], values[i]);
                if (columns[i].Shape.Length == 0 || columns[i].Shape[0] != count)
                {
                    throw new InvalidOperationException(
                        $"Model '{_modelFile}': output '{names[i]}' has shape {columns[i].ShapeText} for a batch of {count}; expected {count} rows. The model does not batch: run with --batch 1.");
                }
            }

            for (int b = 0; b < count; b++)
            {
                var tensors = new RawTensor[columns.Length];
                for (int i = 0; i < columns.Length; i++)
                {
                    int per = checked((int)(columns[i].ElementCount / count));
                    tensors[i] = OutputConversion.CopyToRented(names[i], [1, .. columns[i].Shape.AsSpan(1)], columns[i].Span.Slice(b * per, per));
                }

                outputs[b] = new ModelOutput(tensors, inputs[b].Transform, OutputConversion.ReleaseRented);
            }
        }
        catch
        {
            ModelOutput.DisposeAll(outputs);
            throw;
        }
        finally
        {
            OutputConversion.ReturnRented(columns);
        }

        return outputs;
    }

    private static string ShapeText(long[] shape) => "[" + string.Join(',', shape) + "]";

    /// <summary>One batch's output set, shared by the batch's per-frame outputs; back to its pool when all are disposed.</summary>
    private sealed class BatchLease(OutputSet set, OutputSetPool pool, int count)
    {
        private readonly int[] _released = new int[count];
        private int _remaining = count;

        public void Release(int index)
        {
            if (Interlocked.Exchange(ref _released[index], 1) == 0 && Interlocked.Decrement(ref _remaining) == 0)
            {
                pool.Return(set);
            }
        }
    }
}
