using System.Buffers;

namespace StreamSeg.Evaluation.Panoptic;

/// <summary>
/// Panoptic Quality on COCO panoptic ground truth and predictions (JSON + one PNG per image), reproducing panopticapi's
/// <c>pq_compute</c>: see <see cref="PanopticAccumulator"/> for the matching rules.
/// </summary>
/// <remarks>
/// Images are taken in the ground truth's annotation order, each paired with the prediction of the same image id; the
/// counts add up over all images before PQ/SQ/RQ are divided. (panopticapi splits images over CPU cores and adds the
/// per-core sums, so with several images its IoU sums may differ from these in the last bits.)
/// </remarks>
public static class PanopticEvaluator
{
    /// <summary>Evaluates the predictions against the ground truth.</summary>
    /// <param name="gtJsonPath">The ground-truth JSON (with <c>categories</c>).</param>
    /// <param name="gtFolder">The folder of ground-truth PNGs.</param>
    /// <param name="predictionJsonPath">The prediction JSON.</param>
    /// <param name="predictionFolder">The folder of prediction PNGs.</param>
    /// <exception cref="InvalidDataException">An image has no prediction, the PNG sizes differ, or the prediction breaks panopticapi's sanity checks.</exception>
    public static PanopticResult Evaluate(string gtJsonPath, string gtFolder, string predictionJsonPath, string predictionFolder)
    {
        (IReadOnlyList<PanopticCategory> categories, IReadOnlyList<PanopticAnnotation> gtAnnotations) = PanopticJsonReader.Read(gtJsonPath);
        (_, IReadOnlyList<PanopticAnnotation> predAnnotations) = PanopticJsonReader.Read(predictionJsonPath);
        var predictions = new Dictionary<string, PanopticAnnotation>();
        foreach (PanopticAnnotation p in predAnnotations)
        {
            predictions[p.ImageId] = p;
        }

        var accumulator = new PanopticAccumulator(categories);
        ArrayPool<int> pool = ArrayPool<int>.Shared;
        int[] gtIds = [], predIds = [];
        try
        {
            foreach (PanopticAnnotation gt in gtAnnotations)
            {
                if (!predictions.TryGetValue(gt.ImageId, out PanopticAnnotation? prediction))
                {
                    throw new InvalidDataException($"no prediction for the image with id: {gt.ImageId}");
                }

                (int gw, int gh) = PanopticPngReader.Read(Path.Combine(gtFolder, gt.FileName), ref gtIds, pool);
                (int pw, int ph) = PanopticPngReader.Read(Path.Combine(predictionFolder, prediction.FileName), ref predIds, pool);
                if (gw != pw || gh != ph)
                {
                    throw new InvalidDataException($"Image {gt.ImageId}: the ground-truth PNG is {gw}×{gh} and the prediction PNG {pw}×{ph}.");
                }

                accumulator.AddImage(gtIds.AsSpan(0, gw * gh), predIds.AsSpan(0, gw * gh), gt, prediction);
            }
        }
        finally
        {
            if (gtIds.Length > 0)
            {
                pool.Return(gtIds);
            }

            if (predIds.Length > 0)
            {
                pool.Return(predIds);
            }
        }

        return new PanopticResult(categories, accumulator.Stats, gtAnnotations.Count);
    }
}
