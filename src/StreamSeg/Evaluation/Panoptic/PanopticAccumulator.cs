using System.Buffers;

namespace StreamSeg.Evaluation.Panoptic;

/// <summary>
/// Accumulates Panoptic Quality counts image by image exactly as panopticapi's <c>pq_compute_single_core</c>:
/// a ground-truth and a predicted segment match when their categories agree, the ground truth is not crowd and
/// IoU &gt; 0.5, with the prediction's pixels on ground-truth VOID left out of the union.
/// </summary>
/// <remarks>
/// Unmatched non-crowd ground truth is a FN. An unmatched prediction is a FP unless more than half of its pixels lie on
/// VOID or on the crowd region of its own category (the last crowd segment listed for that category, as panopticapi's
/// dictionary keeps it). Ground-truth areas come from <c>segments_info</c>, prediction areas from the pixels.
/// </remarks>
public sealed class PanopticAccumulator
{
    private readonly Dictionary<int, PanopticCategoryStats> _stats = [];
    private readonly HashSet<int> _categories;

    /// <summary>Initialises an empty accumulator for the ground truth's <paramref name="categories"/>.</summary>
    public PanopticAccumulator(IEnumerable<PanopticCategory> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        _categories = [.. categories.Select(c => c.Id)];
    }

    /// <summary>Gets the counts per category id (categories never seen are absent).</summary>
    public IReadOnlyDictionary<int, PanopticCategoryStats> Stats => _stats;

    /// <summary>Adds one image given its decoded segment-id maps (row-major, the same size).</summary>
    /// <param name="gtMap">The ground-truth segment ids per pixel; 0 is VOID.</param>
    /// <param name="predictionMap">The predicted segment ids per pixel; 0 is VOID.</param>
    /// <param name="gt">The ground-truth segments.</param>
    /// <param name="prediction">The predicted segments.</param>
    /// <exception cref="InvalidDataException">The prediction breaks panopticapi's sanity checks (an id in the PNG and not in the JSON, or the reverse; an unknown category).</exception>
    public void AddImage(ReadOnlySpan<int> gtMap, ReadOnlySpan<int> predictionMap, PanopticAnnotation gt, PanopticAnnotation prediction)
    {
        ArgumentNullException.ThrowIfNull(gt);
        ArgumentNullException.ThrowIfNull(prediction);
        if (gtMap.Length != predictionMap.Length)
        {
            throw new InvalidDataException($"Image {gt.ImageId}: the ground-truth PNG has {gtMap.Length} pixels and the prediction PNG {predictionMap.Length}.");
        }

        IReadOnlyList<PanopticSegment> gs = gt.Segments, ps = prediction.Segments;
        Dictionary<int, int> gtIndex = Index(gs, gt.ImageId, "ground truth");
        Dictionary<int, int> predIndex = Index(ps, gt.ImageId, "prediction");

        // Dense rows: 0 = VOID, 1..n = listed GT segments, n+1 = unlisted GT ids (ignored). Columns: 0 = VOID, 1..m.
        int rows = gs.Count + 2, cols = ps.Count + 1;
        int[] counts = ArrayPool<int>.Shared.Rent(rows * cols);
        try
        {
            Array.Clear(counts, 0, rows * cols);
            Count(gtMap, predictionMap, gtIndex, predIndex, counts, gs.Count + 1, cols, gt.ImageId);
            var predArea = new long[cols];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 1; c < cols; c++)
                {
                    predArea[c] += counts[(r * cols) + c];
                }
            }

            for (int c = 1; c < cols; c++)
            {
                if (predArea[c] == 0)
                {
                    throw new InvalidDataException($"In the image with ID {gt.ImageId} segment with ID {ps[c - 1].Id} is presented in JSON and not presented in PNG.");
                }

                if (!_categories.Contains(ps[c - 1].CategoryId))
                {
                    throw new InvalidDataException($"In the image with ID {gt.ImageId} segment with ID {ps[c - 1].Id} has unknown category_id {ps[c - 1].CategoryId}.");
                }
            }

            Match(gs, ps, counts, cols, predArea);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
        }
    }

    private static Dictionary<int, int> Index(IReadOnlyList<PanopticSegment> segments, string imageId, string what)
    {
        var index = new Dictionary<int, int>(segments.Count);
        for (int i = 0; i < segments.Count; i++)
        {
            if (segments[i].Id == 0)
            {
                throw new InvalidDataException($"In the image with ID {imageId} the {what} lists segment ID 0, which is VOID.");
            }

            if (!index.TryAdd(segments[i].Id, i + 1))
            {
                throw new InvalidDataException($"In the image with ID {imageId} the {what} lists segment ID {segments[i].Id} twice.");
            }
        }

        return index;
    }

    // The pixel loop: ids repeat along runs, so the dictionary is consulted only when an id changes.
    private static void Count(ReadOnlySpan<int> gtMap, ReadOnlySpan<int> predMap, Dictionary<int, int> gtIndex, Dictionary<int, int> predIndex, int[] counts, int unlistedRow, int cols, string imageId)
    {
        int lastG = 0, lastGRow = 0, lastP = 0, lastPCol = 0;
        for (int i = 0; i < gtMap.Length; i++)
        {
            int g = gtMap[i];
            if (g != lastG)
            {
                lastG = g;
                lastGRow = g == 0 ? 0 : gtIndex.GetValueOrDefault(g, unlistedRow);
            }

            int p = predMap[i];
            if (p != lastP)
            {
                lastP = p;
                if (p == 0)
                {
                    lastPCol = 0;
                }
                else if (!predIndex.TryGetValue(p, out lastPCol))
                {
                    throw new InvalidDataException($"In the image with ID {imageId} segment with ID {p} is presented in PNG and not presented in JSON.");
                }
            }

            counts[(lastGRow * cols) + lastPCol]++;
        }
    }

    private void Match(IReadOnlyList<PanopticSegment> gs, IReadOnlyList<PanopticSegment> ps, int[] counts, int cols, long[] predArea)
    {
        // panopticapi walks the (gt id, pred id) pairs in np.unique order, i.e. ascending ids; the IoU sums follow it.
        var pairs = new List<(int G, int P)>();
        for (int g = 1; g <= gs.Count; g++)
        {
            for (int p = 1; p < cols; p++)
            {
                if (counts[(g * cols) + p] > 0 && !gs[g - 1].IsCrowd && gs[g - 1].CategoryId == ps[p - 1].CategoryId)
                {
                    pairs.Add((g, p));
                }
            }
        }

        pairs.Sort((a, b) => gs[a.G - 1].Id != gs[b.G - 1].Id ? gs[a.G - 1].Id.CompareTo(gs[b.G - 1].Id) : ps[a.P - 1].Id.CompareTo(ps[b.P - 1].Id));
        var gtMatched = new bool[gs.Count + 1];
        var predMatched = new bool[cols];
        foreach ((int g, int p) in pairs)
        {
            double intersection = counts[(g * cols) + p];
            double union = predArea[p] + gs[g - 1].Area - intersection - counts[p];
            double iou = intersection / union;
            if (iou > 0.5)
            {
                PanopticCategoryStats s = StatsOf(gs[g - 1].CategoryId);
                s.TP++;
                s.IouSum += iou;
                gtMatched[g] = true;
                predMatched[p] = true;
            }
        }

        var crowdRowOfCategory = new Dictionary<int, int>();
        for (int g = 1; g <= gs.Count; g++)
        {
            if (gtMatched[g])
            {
                continue;
            }

            if (gs[g - 1].IsCrowd)
            {
                crowdRowOfCategory[gs[g - 1].CategoryId] = g;
                continue;
            }

            StatsOf(gs[g - 1].CategoryId).FN++;
        }

        for (int p = 1; p < cols; p++)
        {
            if (predMatched[p])
            {
                continue;
            }

            long ignored = counts[p];
            if (crowdRowOfCategory.TryGetValue(ps[p - 1].CategoryId, out int crowdRow))
            {
                ignored += counts[(crowdRow * cols) + p];
            }

            if ((double)ignored / predArea[p] > 0.5)
            {
                continue;
            }

            StatsOf(ps[p - 1].CategoryId).FP++;
        }
    }

    private PanopticCategoryStats StatsOf(int categoryId)
    {
        if (!_stats.TryGetValue(categoryId, out PanopticCategoryStats? s))
        {
            _stats[categoryId] = s = new PanopticCategoryStats();
        }

        return s;
    }
}
