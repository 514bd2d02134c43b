using System.Diagnostics;

namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// COCO detection evaluation, operation for operation as pycocotools' <c>COCOeval</c> (evaluate, accumulate,
/// summarize): per image and category, detections sorted by score (stable) and cut to the largest limit; IoU (box,
/// mask with crowd handling, or OKS); greedy matching per IoU threshold with ignored and crowd ground truth; per
/// category, area range and limit, 101-point interpolated precision and final recall; means over the cells &gt; −1.
/// </summary>
public sealed class CocoEvaluator
{
    private readonly CocoEvalParameters _parameters;

    /// <summary>Creates an evaluator with <paramref name="parameters"/> (see <see cref="CocoEvalParameters.For"/>).</summary>
    public CocoEvaluator(CocoEvalParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters;
    }

    /// <summary>Evaluates <paramref name="detections"/> (from <see cref="CocoDataset.LoadResults(string)"/>) against <paramref name="groundTruth"/>.</summary>
    public CocoEvalResult Evaluate(CocoDataset groundTruth, CocoDataset detections)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(detections);
        long started = Stopwatch.GetTimestamp();
        CocoEvalParameters p = _parameters;
        long[] imageIds = groundTruth.Images.Select(i => i.Id).Distinct().Order().ToArray();
        int[] categoryIds = groundTruth.Categories.Select(c => c.Id).Distinct().Order().ToArray();
        int imageCount = imageIds.Length, categoryCount = categoryIds.Length, areaCount = p.AreaRanges.Count;
        var imageIndex = new Dictionary<long, int>(imageCount);
        for (int i = 0; i < imageCount; i++)
        {
            imageIndex[imageIds[i]] = i;
        }

        var categoryIndex = new Dictionary<int, int>(categoryCount);
        for (int k = 0; k < categoryCount; k++)
        {
            categoryIndex[categoryIds[k]] = k;
        }

        List<CocoAnnotation>?[] gts = Group(groundTruth.Annotations, imageIndex, categoryIndex, imageCount);
        List<CocoAnnotation>?[] dts = Group(detections.Annotations, imageIndex, categoryIndex, imageCount);

        var evaluations = new ImageEvaluation?[categoryCount * areaCount * imageCount];
        int maxDet = p.MaxDets[^1];
        for (int k = 0; k < categoryCount; k++)
        {
            for (int i = 0; i < imageCount; i++)
            {
                List<CocoAnnotation>? gt = gts[(k * imageCount) + i];
                List<CocoAnnotation>? dt = dts[(k * imageCount) + i];
                if ((gt?.Count ?? 0) == 0 && (dt?.Count ?? 0) == 0)
                {
                    continue;
                }

                gt ??= [];
                List<CocoAnnotation> kept = SortAndCut(dt ?? [], maxDet);
                CocoImage image = groundTruth.ImagesById[imageIds[i]];
                double[] ious = ComputeIou(image, kept, gt);
                for (int a = 0; a < areaCount; a++)
                {
                    evaluations[(((k * areaCount) + a) * imageCount) + i] = Match(kept, gt, ious, p.AreaRanges[a]);
                }
            }
        }

        (double[] precision, double[] recall) = Accumulate(evaluations, categoryCount, imageCount);
        return new CocoEvalResult(p, categoryIds, groundTruth.Categories, precision, recall, Stopwatch.GetElapsedTime(started));
    }

    private static List<CocoAnnotation>?[] Group(IReadOnlyList<CocoAnnotation> annotations, Dictionary<long, int> imageIndex, Dictionary<int, int> categoryIndex, int imageCount)
    {
        var groups = new List<CocoAnnotation>?[categoryIndex.Count * imageCount];
        foreach (CocoAnnotation a in annotations)
        {
            if (imageIndex.TryGetValue(a.ImageId, out int i) && categoryIndex.TryGetValue(a.CategoryId, out int k))
            {
                (groups[(k * imageCount) + i] ??= []).Add(a);
            }
        }

        return groups;
    }

    /// <summary>Detections by score, descending, stable (numpy's mergesort: ties keep file order), cut to <paramref name="maxDet"/>.</summary>
    private static List<CocoAnnotation> SortAndCut(List<CocoAnnotation> dt, int maxDet)
    {
        var order = new int[dt.Count];
        for (int j = 0; j < order.Length; j++)
        {
            order[j] = j;
        }

        Array.Sort(order, (x, y) =>
        {
            int c = dt[y].Score.CompareTo(dt[x].Score);
            return c != 0 ? c : x.CompareTo(y);
        });
        var kept = new List<CocoAnnotation>(Math.Min(dt.Count, maxDet));
        for (int j = 0; j < order.Length && j < maxDet; j++)
        {
            kept.Add(dt[order[j]]);
        }

        return kept;
    }

    /// <summary>The detections × ground truths similarity matrix, row-major; empty when either side is.</summary>
    private double[] ComputeIou(CocoImage image, List<CocoAnnotation> dt, List<CocoAnnotation> gt)
    {
        if (dt.Count == 0 || gt.Count == 0)
        {
            return [];
        }

        var result = new double[dt.Count * gt.Count];
        var crowd = new bool[gt.Count];
        for (int g = 0; g < gt.Count; g++)
        {
            crowd[g] = gt[g].IsCrowd;
        }

        switch (_parameters.IouType)
        {
            case CocoIouType.Bbox:
                MaskIou.Boxes(
                    dt.ConvertAll(d => d.Bbox ?? throw new InvalidDataException($"Detection {d.Id} has no bbox.")),
                    gt.ConvertAll(g => g.Bbox ?? throw new InvalidDataException($"Ground truth {g.Id} has no bbox.")),
                    crowd,
                    result);
                break;
            case CocoIouType.Segm:
                MaskIou.Masks(dt.ConvertAll(d => ToRle(d, image)), gt.ConvertAll(g => ToRle(g, image)), crowd, result);
                break;
            default:
            {
                Span<double> scratch = stackalloc double[CocoEvalParameters.CocoKeypointSigmas.Count];
                for (int d = 0; d < dt.Count; d++)
                {
                    for (int g = 0; g < gt.Count; g++)
                    {
                        result[(d * gt.Count) + g] = KeypointSimilarity.Compute(dt[d], gt[g], CocoEvalParameters.CocoKeypointSigmas, scratch);
                    }
                }

                break;
            }
        }

        return result;
    }

    private static Rle ToRle(CocoAnnotation annotation, CocoImage image) =>
        (annotation.Segmentation ?? throw new InvalidDataException($"Annotation {annotation.Id} has no segmentation.")).ToRle(image.Height, image.Width);

    /// <summary>pycocotools' <c>evaluateImg</c> at one area range.</summary>
    private ImageEvaluation Match(List<CocoAnnotation> dt, List<CocoAnnotation> gt, double[] ious, AreaRange range)
    {
        IReadOnlyList<double> thresholds = _parameters.IouThresholds;
        int t = thresholds.Count, d = dt.Count, n = gt.Count;
        bool keypoints = _parameters.IouType == CocoIouType.Keypoints;

        // Ground truths ordered non-ignored first, stably.
        var order = new int[n];
        var ignoredGt = new bool[n];
        int position = 0, nonIgnored = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            for (int g = 0; g < n; g++)
            {
                CocoAnnotation a = gt[g];
                bool ignored = a.IsCrowd || (keypoints && KeypointCount(a) == 0) || range.Excludes(a.Area);
                if (ignored == (pass == 1))
                {
                    ignoredGt[position] = ignored;
                    order[position++] = g;
                    nonIgnored += ignored ? 0 : 1;
                }
            }
        }

        var scores = new double[d];
        for (int j = 0; j < d; j++)
        {
            scores[j] = dt[j].Score;
        }

        var matched = new bool[t * d];
        var ignoredDt = new bool[t * d];
        if (ious.Length > 0)
        {
            var gtMatch = new long[n];
            for (int ti = 0; ti < t; ti++)
            {
                Array.Clear(gtMatch);
                for (int j = 0; j < d; j++)
                {
                    double iou = Math.Min(thresholds[ti], 1 - 1e-10);
                    int m = -1;
                    for (int g = 0; g < n; g++)
                    {
                        int column = order[g];
                        if (gtMatch[g] > 0 && !gt[column].IsCrowd)
                        {
                            continue;
                        }

                        if (m > -1 && !ignoredGt[m] && ignoredGt[g])
                        {
                            break;
                        }

                        double value = ious[(j * n) + column];
                        if (value < iou)
                        {
                            continue;
                        }

                        iou = value;
                        m = g;
                    }

                    if (m == -1)
                    {
                        continue;
                    }

                    ignoredDt[(ti * d) + j] = ignoredGt[m];

                    // pycocotools stores the ground truth's id and tests it against 0.
                    matched[(ti * d) + j] = gt[order[m]].Id != 0;
                    gtMatch[m] = dt[j].Id;
                }
            }
        }

        for (int ti = 0; ti < t; ti++)
        {
            for (int j = 0; j < d; j++)
            {
                if (!matched[(ti * d) + j] && range.Excludes(dt[j].Area))
                {
                    ignoredDt[(ti * d) + j] = true;
                }
            }
        }

        return new ImageEvaluation(scores, matched, ignoredDt, nonIgnored);
    }

    private static int KeypointCount(CocoAnnotation gt)
    {
        if (gt.NumKeypoints >= 0 || gt.Keypoints is null)
        {
            return Math.Max(gt.NumKeypoints, 0);
        }

        int visible = 0;
        for (int i = 2; i < gt.Keypoints.Length; i += 3)
        {
            visible += gt.Keypoints[i] > 0 ? 1 : 0;
        }

        return visible;
    }

    /// <summary>pycocotools' <c>accumulate</c>: precision [T, R, K, A, M] and recall [T, K, A, M], −1 where a cell has no ground truth.</summary>
    private (double[] Precision, double[] Recall) Accumulate(ImageEvaluation?[] evaluations, int categoryCount, int imageCount)
    {
        CocoEvalParameters p = _parameters;
        int t = p.IouThresholds.Count, r = p.RecallThresholds.Count, areaCount = p.AreaRanges.Count, limits = p.MaxDets.Count;
        var precision = new double[t * r * categoryCount * areaCount * limits];
        var recall = new double[t * categoryCount * areaCount * limits];
        Array.Fill(precision, -1);
        Array.Fill(recall, -1);
        var images = new List<ImageEvaluation>(imageCount);
        var scores = new List<double>();
        var owner = new List<(int Image, int Detection)>();
        var rc = new List<double>();
        var pr = new List<double>();
        var q = new double[r];
        for (int k = 0; k < categoryCount; k++)
        {
            for (int a = 0; a < areaCount; a++)
            {
                images.Clear();
                int npig = 0;
                for (int i = 0; i < imageCount; i++)
                {
                    if (evaluations[(((k * areaCount) + a) * imageCount) + i] is { } e)
                    {
                        images.Add(e);
                        npig += e.NonIgnoredGroundTruths;
                    }
                }

                if (images.Count == 0 || npig == 0)
                {
                    continue;
                }

                for (int m = 0; m < limits; m++)
                {
                    int maxDet = p.MaxDets[m];
                    scores.Clear();
                    owner.Clear();
                    for (int e = 0; e < images.Count; e++)
                    {
                        double[] s = images[e].Scores;
                        for (int j = 0; j < s.Length && j < maxDet; j++)
                        {
                            scores.Add(s[j]);
                            owner.Add((e, j));
                        }
                    }

                    int nd = scores.Count;
                    var inds = new int[nd];
                    for (int j = 0; j < nd; j++)
                    {
                        inds[j] = j;
                    }

                    // numpy.argsort(-scores, kind='mergesort'): descending, ties in concatenation order.
                    Array.Sort(inds, (x, y) =>
                    {
                        int c = scores[y].CompareTo(scores[x]);
                        return c != 0 ? c : x.CompareTo(y);
                    });

                    for (int ti = 0; ti < t; ti++)
                    {
                        rc.Clear();
                        pr.Clear();
                        double tp = 0, fp = 0;
                        for (int j = 0; j < nd; j++)
                        {
                            (int e, int det) = owner[inds[j]];
                            ImageEvaluation ev = images[e];
                            int at = (ti * ev.Scores.Length) + det;
                            if (!ev.Ignored[at])
                            {
                                if (ev.Matched[at])
                                {
                                    tp++;
                                }
                                else
                                {
                                    fp++;
                                }
                            }

                            rc.Add(tp / npig);
                            pr.Add(tp / (fp + tp + 2.220446049250313e-16));
                        }

                        int recallAt = ((((ti * categoryCount) + k) * areaCount) + a) * limits + m;
                        recall[recallAt] = nd > 0 ? rc[nd - 1] : 0;

                        // Precision non-increasing from the right, then read at each recall threshold (searchsorted, left).
                        for (int j = nd - 1; j > 0; j--)
                        {
                            if (pr[j] > pr[j - 1])
                            {
                                pr[j - 1] = pr[j];
                            }
                        }

                        Array.Clear(q);
                        int start = 0;
                        for (int ri = 0; ri < r; ri++)
                        {
                            double threshold = p.RecallThresholds[ri];
                            while (start < nd && rc[start] < threshold)
                            {
                                start++;
                            }

                            if (start >= nd)
                            {
                                break;
                            }

                            q[ri] = pr[start];
                        }

                        for (int ri = 0; ri < r; ri++)
                        {
                            precision[(((((((ti * r) + ri) * categoryCount) + k) * areaCount) + a) * limits) + m] = q[ri];
                        }
                    }
                }
            }
        }

        return (precision, recall);
    }
}
