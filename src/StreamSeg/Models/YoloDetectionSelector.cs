using System.Buffers;
using StreamSeg.Decode;

namespace StreamSeg.Models;

/// <summary>
/// The part of YOLO decoding shared by the seg and pose heads: reads a channel-major <c>[1, 4+nc+extra, N]</c>
/// output, keeps anchors whose best class score is strictly above the threshold (single-label, argmax), converts
/// cx,cy,w,h to corners and runs class-aware (or agnostic) NMS, as Ultralytics' <c>non_max_suppression</c> does.
/// </summary>
internal static class YoloDetectionSelector
{
    /// <summary>
    /// Selects detections; writes anchor index, input-space box, score and class of each kept detection (best
    /// first) into the spans, which must hold min(<paramref name="anchors"/>, max detections) entries.
    /// </summary>
    /// <returns>The number of detections kept.</returns>
    public static int Select(
        ReadOnlySpan<float> output,
        int anchors,
        int classCount,
        float confidence,
        AdapterOptions options,
        Span<int> keptAnchors,
        Span<BoxF> keptBoxes,
        Span<float> keptScores,
        Span<int> keptClasses)
    {
        float[] best = ArrayPool<float>.Shared.Rent(anchors);
        int[] bestClass = ArrayPool<int>.Shared.Rent(anchors);
        BoxF[] candBoxes = ArrayPool<BoxF>.Shared.Rent(anchors);
        float[] candScores = ArrayPool<float>.Shared.Rent(anchors);
        int[] candClasses = ArrayPool<int>.Shared.Rent(anchors);
        int[] candAnchors = ArrayPool<int>.Shared.Rent(anchors);
        int[] keep = ArrayPool<int>.Shared.Rent(anchors);
        try
        {
            // Class-major pass: each class row is contiguous, so this reads memory in order. Strict '>' keeps the
            // first class on ties, like torch.max(dim) in Ultralytics.
            ReadOnlySpan<float> first = output.Slice(4 * anchors, anchors);
            first.CopyTo(best);
            bestClass.AsSpan(0, anchors).Clear();
            for (int c = 1; c < classCount; c++)
            {
                ReadOnlySpan<float> row = output.Slice((4 + c) * anchors, anchors);
                for (int i = 0; i < anchors; i++)
                {
                    if (row[i] > best[i])
                    {
                        best[i] = row[i];
                        bestClass[i] = c;
                    }
                }
            }

            ReadOnlySpan<float> cx = output.Slice(0, anchors);
            ReadOnlySpan<float> cy = output.Slice(anchors, anchors);
            ReadOnlySpan<float> w = output.Slice(2 * anchors, anchors);
            ReadOnlySpan<float> h = output.Slice(3 * anchors, anchors);
            int n = 0;
            for (int i = 0; i < anchors; i++)
            {
                if (best[i] > confidence)
                {
                    candBoxes[n] = BoxF.FromCenter(cx[i], cy[i], w[i], h[i]);
                    candScores[n] = best[i];
                    candClasses[n] = bestClass[i];
                    candAnchors[n] = i;
                    n++;
                }
            }

            int kept = Nms.Run(
                candBoxes.AsSpan(0, n),
                candScores.AsSpan(0, n),
                candClasses.AsSpan(0, n),
                options.IouThreshold,
                options.MaxDetections,
                options.ClassAgnosticNms,
                keep);
            for (int k = 0; k < kept; k++)
            {
                int j = keep[k];
                keptAnchors[k] = candAnchors[j];
                keptBoxes[k] = candBoxes[j];
                keptScores[k] = candScores[j];
                keptClasses[k] = candClasses[j];
            }

            return kept;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(best);
            ArrayPool<int>.Shared.Return(bestClass);
            ArrayPool<BoxF>.Shared.Return(candBoxes);
            ArrayPool<float>.Shared.Return(candScores);
            ArrayPool<int>.Shared.Return(candClasses);
            ArrayPool<int>.Shared.Return(candAnchors);
            ArrayPool<int>.Shared.Return(keep);
        }
    }

    /// <summary>Throws unless <paramref name="tensor"/> has rank 3 with batch 1; returns (channels, anchors).</summary>
    public static (int Channels, int Anchors) CheckHead(RawTensor tensor, string adapter, int minChannels)
    {
        if (tensor.Shape.Length != 3 || tensor.Shape[0] != 1 || tensor.Shape[1] < minChannels || tensor.Shape[2] < 0)
        {
            throw new ArgumentException(
                $"{adapter}: output '{tensor.Name}' has shape {tensor.ShapeText}; expected [1,C,N] with C ≥ {minChannels}.");
        }

        return ((int)tensor.Shape[1], (int)tensor.Shape[2]);
    }
}
