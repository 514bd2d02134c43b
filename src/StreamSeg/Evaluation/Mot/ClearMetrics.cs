namespace StreamSeg.Evaluation.Mot;

/// <summary>
/// CLEAR MOT exactly as TrackEval's <c>CLEAR.eval_sequence</c>: per frame one assignment maximising IoU plus a bonus
/// of 1000 for pairs matched in the previous frame that had both ground truth and tracker boxes; pairs below the
/// threshold cannot match.
/// </summary>
public static class ClearMetrics
{
    private const double Eps = 2.220446049250313e-16;

    /// <summary>Computes CLEAR MOT for <paramref name="data"/> with the match threshold <paramref name="threshold"/> (IoU ≥ threshold).</summary>
    public static ClearResult Evaluate(MotSequenceData data, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(data);
        int frames = data.NumTimesteps;
        if (data.NumTrackerDets == 0)
        {
            return new ClearResult { FN = data.NumGtDets, ML = data.NumGtIds, Frames = frames };
        }

        if (data.NumGtDets == 0)
        {
            return new ClearResult { FP = data.NumTrackerDets, Frames = frames };
        }

        int n = data.NumGtIds;
        var gtCount = new int[n];
        var matchedCount = new int[n];
        var fragCount = new int[n];
        var prevTracker = new int[n];
        var prevTimestepTracker = new int[n];
        Array.Fill(prevTracker, -1);
        Array.Fill(prevTimestepTracker, -1);
        int tp = 0, fn = 0, fp = 0, idsw = 0;
        double motpSum = 0;
        for (int t = 0; t < frames; t++)
        {
            int[] g = data.GtIds[t];
            int[] k = data.TrackerIds[t];
            if (g.Length == 0)
            {
                fp += k.Length;
                continue;
            }

            if (k.Length == 0)
            {
                fn += g.Length;
                foreach (int id in g)
                {
                    gtCount[id]++;
                }

                continue;
            }

            double[] sim = data.Similarity[t];
            var cost = new double[sim.Length];
            var candidate = new bool[sim.Length];
            for (int i = 0; i < g.Length; i++)
            {
                for (int j = 0; j < k.Length; j++)
                {
                    double s = sim[(i * k.Length) + j];
                    double score = (prevTimestepTracker[g[i]] == k[j] ? 1000 : 0) + s;
                    cost[(i * k.Length) + j] = s < threshold - Eps ? 0 : -score;
                    candidate[(i * k.Length) + j] = -cost[(i * k.Length) + j] > Eps;
                }
            }

            var rowToColumn = new int[g.Length];
            RectangularAssignment.MinimizeByComponents(cost, candidate, g.Length, k.Length, rowToColumn);

            // A trajectory starts a new tracked stretch when it was not tracked at the previous timestep that had both.
            var notPreviouslyTracked = new bool[n];
            for (int id = 0; id < n; id++)
            {
                notPreviouslyTracked[id] = prevTimestepTracker[id] < 0;
            }

            Array.Fill(prevTimestepTracker, -1);
            int matches = 0;

            // Summed per frame first, then added to the total, as TrackEval's sum(similarity[rows, cols]) does.
            double frameIouSum = 0;
            for (int i = 0; i < g.Length; i++)
            {
                int j = rowToColumn[i];
                gtCount[g[i]]++;
                if (j < 0 || !(-cost[(i * k.Length) + j] > Eps))
                {
                    continue;
                }

                int gid = g[i], tid = k[j];
                if (prevTracker[gid] >= 0 && prevTracker[gid] != tid)
                {
                    idsw++;
                }

                matchedCount[gid]++;
                prevTracker[gid] = tid;
                prevTimestepTracker[gid] = tid;
                frameIouSum += sim[(i * k.Length) + j];
                matches++;
            }

            for (int id = 0; id < n; id++)
            {
                if (notPreviouslyTracked[id] && prevTimestepTracker[id] >= 0)
                {
                    fragCount[id]++;
                }
            }

            motpSum += frameIouSum;
            tp += matches;
            fn += g.Length - matches;
            fp += k.Length - matches;
        }

        int mt = 0, pt = 0, frag = 0;
        for (int id = 0; id < n; id++)
        {
            if (gtCount[id] > 0)
            {
                double ratio = matchedCount[id] / (double)gtCount[id];
                mt += ratio > 0.8 ? 1 : 0;
                pt += ratio is >= 0.2 and <= 0.8 ? 1 : 0;
            }

            frag += fragCount[id] > 0 ? fragCount[id] - 1 : 0;
        }

        return new ClearResult
        {
            TP = tp,
            FN = fn,
            FP = fp,
            IDSW = idsw,
            MT = mt,
            PT = pt,
            ML = n - mt - pt,
            Frag = frag,
            MOTPSum = motpSum,
            Frames = frames,
        };
    }
}
