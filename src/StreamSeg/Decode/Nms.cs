using System.Buffers;

namespace StreamSeg.Decode;

/// <summary>
/// Greedy IoU non-maximum suppression as Ultralytics runs it: candidates are visited by score, highest first; each
/// kept box suppresses every later box whose IoU with it is above the threshold. Class-aware suppression uses
/// Ultralytics' offset trick (every box is shifted by <c>classId × <see cref="MaxWh"/></c> on both axes, so boxes of
/// different classes never overlap); class-agnostic suppression uses no offset.
/// </summary>
/// <remarks>
/// Only the <see cref="MaxCandidates"/> best-scoring candidates take part (Ultralytics' <c>max_nms</c>). Scratch
/// buffers come from <see cref="ArrayPool{T}.Shared"/>; the caller passes the output buffer, so a call allocates
/// nothing. Ties in score keep the input order, which makes the result deterministic.
/// </remarks>
public static class Nms
{
    /// <summary>The per-class offset Ultralytics uses for class-aware NMS (<c>max_wh</c>).</summary>
    public const float MaxWh = 7680f;

    /// <summary>The most candidates considered (Ultralytics' <c>max_nms</c>).</summary>
    public const int MaxCandidates = 30000;

    /// <summary>
    /// Runs NMS and writes the indices of the kept candidates, best score first, into <paramref name="keep"/>.
    /// </summary>
    /// <param name="boxes">Candidate boxes.</param>
    /// <param name="scores">One score per candidate.</param>
    /// <param name="classIds">One class id per candidate (ignored when <paramref name="classAgnostic"/>).</param>
    /// <param name="iouThreshold">A box is suppressed when its IoU with a kept box is strictly above this.</param>
    /// <param name="maxDetections">The most boxes kept.</param>
    /// <param name="classAgnostic">Whether boxes of different classes suppress each other.</param>
    /// <param name="keep">Receives the kept indices; must hold at least min(count, <paramref name="maxDetections"/>).</param>
    /// <returns>The number of indices written to <paramref name="keep"/>.</returns>
    public static int Run(
        ReadOnlySpan<BoxF> boxes,
        ReadOnlySpan<float> scores,
        ReadOnlySpan<int> classIds,
        float iouThreshold,
        int maxDetections,
        bool classAgnostic,
        Span<int> keep)
    {
        int n = boxes.Length;
        if (scores.Length != n || (!classAgnostic && classIds.Length != n))
        {
            throw new ArgumentException($"NMS: {n} boxes but {scores.Length} scores and {classIds.Length} class ids.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxDetections);
        int limit = Math.Min(n, maxDetections);
        if (keep.Length < limit)
        {
            throw new ArgumentException($"NMS: the keep buffer holds {keep.Length} entries; {limit} may be needed.", nameof(keep));
        }

        if (limit == 0)
        {
            return 0;
        }

        float[] keys = ArrayPool<float>.Shared.Rent(n);
        int[] order = ArrayPool<int>.Shared.Rent(n);
        BoxF[] shifted = ArrayPool<BoxF>.Shared.Rent(n);
        bool[] suppressed = ArrayPool<bool>.Shared.Rent(n);
        try
        {
            for (int i = 0; i < n; i++)
            {
                keys[i] = -scores[i];
                order[i] = i;
            }

            SortByScore(keys.AsSpan(0, n), order.AsSpan(0, n));
            int m = Math.Min(n, MaxCandidates);
            for (int k = 0; k < m; k++)
            {
                int i = order[k];
                float offset = classAgnostic ? 0f : classIds[i] * MaxWh;
                BoxF b = boxes[i];
                shifted[k] = new BoxF(b.X1 + offset, b.Y1 + offset, b.X2 + offset, b.Y2 + offset);
                suppressed[k] = false;
            }

            int kept = 0;
            for (int k = 0; k < m && kept < limit; k++)
            {
                if (suppressed[k])
                {
                    continue;
                }

                keep[kept++] = order[k];
                BoxF a = shifted[k];
                for (int j = k + 1; j < m; j++)
                {
                    if (!suppressed[j] && BoxF.IoU(a, shifted[j]) > iouThreshold)
                    {
                        suppressed[j] = true;
                    }
                }
            }

            return kept;
        }
        finally
        {
            // Return the scratch buffers even when an argument check inside the loop throws.
            ArrayPool<float>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<BoxF>.Shared.Return(shifted);
            ArrayPool<bool>.Shared.Return(suppressed);
        }
    }

    private static void SortByScore(Span<float> keys, Span<int> order)
    {
        // Span.Sort is an unstable introsort; restore input order within runs of equal scores so ties are deterministic.
        keys.Sort(order);
        int start = 0;
        for (int i = 1; i <= keys.Length; i++)
        {
            if (i == keys.Length || keys[i] != keys[start])
            {
                if (i - start > 1)
                {
                    order[start..i].Sort();
                }

                start = i;
            }
        }
    }
}
