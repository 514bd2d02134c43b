namespace StreamSeg.Evaluation.Mot;

/// <summary>
/// Evaluates a tracker's MOTChallenge-format output against MOTChallenge ground truth: CLEAR MOT, identity (IDF1)
/// and HOTA as TrackEval computes them, and py-motmetrics' summary of the same rows.
/// </summary>
/// <remarks>
/// Which convention each number follows: every TrackEval field (<see cref="MotEvaluationResult.Clear"/>,
/// <see cref="MotEvaluationResult.Identity"/>, <see cref="MotEvaluationResult.Hota"/>) is TrackEval's definition on
/// TrackEval's preprocessing; <see cref="MotEvaluationResult.MotMetrics"/> is py-motmetrics'
/// (<c>compare_to_groundtruth(gt, test, 'iou', distth=1 − threshold)</c> over the frames present in either file) on the
/// same kept rows. The two differ where their definitions do: py-motmetrics' motp is the mean distance 1 − IoU and
/// its MT uses ≥ 80 % (TrackEval: > 80 %); its fragmentations count paired → missed changes of an object, TrackEval's
/// count tracked stretches after the first, where a frame without the object also ends a stretch.
/// </remarks>
public sealed class MotEvaluator
{
    private readonly MotEvaluatorOptions _options;

    /// <summary>Initialises the evaluator with <paramref name="options"/> (defaults: MOT15 rows, IoU ≥ 0.5).</summary>
    public MotEvaluator(MotEvaluatorOptions? options = null)
    {
        _options = options ?? new MotEvaluatorOptions();
        if (!(_options.Threshold is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.Threshold, "The match threshold must be in (0, 1].");
        }
    }

    /// <summary>Reads and evaluates the ground-truth file <paramref name="gtPath"/> and the tracker file <paramref name="predictionPath"/>.</summary>
    public MotEvaluationResult Evaluate(string gtPath, string predictionPath)
        => Evaluate(MotFileReader.Read(gtPath), MotFileReader.Read(predictionPath));

    /// <summary>Evaluates the tracker rows <paramref name="prediction"/> against the ground-truth rows <paramref name="gt"/>.</summary>
    public MotEvaluationResult Evaluate(IReadOnlyList<MotDetection> gt, IReadOnlyList<MotDetection> prediction)
    {
        (List<MotDetection>[] keptGt, List<MotDetection>[] keptTr) = MotSequenceData.Preprocess(gt, prediction, _options);
        MotSequenceData data = MotSequenceData.FromFrames(keptGt, keptTr);
        return new MotEvaluationResult
        {
            Options = _options,
            Data = data,
            Clear = ClearMetrics.Evaluate(data, _options.Threshold),
            Identity = IdentityMetrics.Evaluate(data, _options.Threshold),
            Hota = HotaMetrics.Evaluate(data),
            MotMetrics = Accumulate(keptGt, keptTr, 1.0 - _options.Threshold).Summarize(),
        };
    }

    private static MotAccumulator Accumulate(List<MotDetection>[] gt, List<MotDetection>[] tracker, double maxDistance)
    {
        var accumulator = new MotAccumulator();
        for (int t = 0; t < gt.Length; t++)
        {
            List<MotDetection> g = gt[t], k = tracker[t];
            if (g.Count == 0 && k.Count == 0)
            {
                continue; // py-motmetrics only visits frames present in either file.
            }

            var oids = new int[g.Count];
            var hids = new int[k.Count];
            var dist = new double[g.Count * k.Count];
            for (int i = 0; i < g.Count; i++)
            {
                oids[i] = g[i].Id;
                for (int j = 0; j < k.Count; j++)
                {
                    double d = 1 - BoxIou.MotMetrics(g[i], k[j]);
                    dist[(i * k.Count) + j] = d > maxDistance ? double.NaN : d;
                }
            }

            for (int j = 0; j < k.Count; j++)
            {
                hids[j] = k[j].Id;
            }

            accumulator.Update(oids, hids, dist, t + 1);
        }

        return accumulator;
    }
}
