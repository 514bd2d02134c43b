using StreamSeg.Memory;

namespace StreamSeg.Inference;

/// <summary>
/// Stacks inputs of one shape and type (frames of several streams) along the first dimension into a pooled batch
/// tensor: one copy per frame, no allocation once the pool has a tensor of the batch's shape.
/// </summary>
/// <remarks>
/// Used by one worker at a time (the model's); the batch tensor goes back to the pool when disposed. A batch is stacked
/// in the memory its frames' tensors are in (CUDA pinned host memory for a model on a GPU, managed arrays on the CPU).
/// </remarks>
internal sealed class BatchStacker : IDisposable
{
    private readonly Dictionary<TensorMemory, TensorPools> _pools = [];

    /// <summary>Returns <paramref name="inputs"/> stacked; the caller disposes it.</summary>
    /// <exception cref="ArgumentException">The inputs differ in shape or type.</exception>
    public PooledTensor Stack(IReadOnlyList<PooledTensor> inputs)
    {
        long[] one = inputs[0].Shape;
        for (int b = 1; b < inputs.Count; b++)
        {
            if (!inputs[b].Shape.AsSpan().SequenceEqual(one) || inputs[b].Element != inputs[0].Element)
            {
                throw new ArgumentException($"A batch needs inputs of one shape and type; got {ShapeText(one)} and {ShapeText(inputs[b].Shape)}.", nameof(inputs));
            }
        }

        long[] shape = [.. one];
        shape[0] = inputs.Count * shape[0];
        TensorMemory memory = inputs[0].Memory;
        if (!_pools.TryGetValue(memory, out TensorPools? pool))
        {
            pool = new TensorPools(memory);
            _pools[memory] = pool;
        }

        PooledTensor batch = pool.Rent(shape, inputs[0].Element);
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

    /// <summary>Frees the pooled batch tensors.</summary>
    public void Dispose()
    {
        foreach (TensorPools pool in _pools.Values)
        {
            pool.Dispose();
        }
    }

    private static void CopyRow<T>(Span<T> row, Span<T> batch, int index) => row.CopyTo(batch[(index * row.Length)..]);

    private static string ShapeText(long[] shape) => "[" + string.Join(',', shape) + "]";
}
