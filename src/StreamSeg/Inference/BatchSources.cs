namespace StreamSeg.Inference;

/// <summary>The source keys of a recurrent model's batch (<see cref="OnnxModel.RunBatch(IReadOnlyList{Memory.PooledTensor}, IReadOnlyList{int}, IReadOnlyList{bool})"/>).</summary>
internal static class BatchSources
{
    /// <summary>Gets keys for <paramref name="count"/> one-off frames (negative: each its own zero state, not kept) and their discontinuity flags (all set).</summary>
    public static (int[] Keys, bool[] Discontinuities) OneOff(int count)
    {
        var keys = new int[count];
        var discontinuities = new bool[count];
        for (int b = 0; b < count; b++)
        {
            keys[b] = -1 - b;
            discontinuities[b] = true;
        }

        return (keys, discontinuities);
    }

    /// <summary>Throws when a source is in the batch twice: a recurrent model runs a source's frames one after another.</summary>
    /// <exception cref="ArgumentException">A key repeats.</exception>
    public static void ThrowIfRepeated(IReadOnlyList<int> sourceKeys)
    {
        for (int b = 1; b < sourceKeys.Count; b++)
        {
            for (int c = 0; c < b; c++)
            {
                if (sourceKeys[c] == sourceKeys[b])
                {
                    throw new ArgumentException($"Source {sourceKeys[b]} is in the batch twice: a recurrent model runs a source's frames one after another.", nameof(sourceKeys));
                }
            }
        }
    }
}
