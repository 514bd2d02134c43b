namespace StreamSeg.Evaluation.Mot;

/// <summary>
/// HOTA exactly as TrackEval's <c>HOTA.eval_sequence</c> (Luiten et al., IJCV 2021): one matching per frame, computed
/// once for all α, maximising IoU × the global alignment score A(g, t) of the id pair; a matched pair is a TP at α
/// when its IoU ≥ α.
/// </summary>
public static class HotaMetrics
{
    private const double Eps = 2.220446049250313e-16;

    /// <summary>Computes HOTA and its sub-metrics for every α in <see cref="HotaResult.Alphas"/>.</summary>
    public static HotaResult Evaluate(MotSequenceData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int na = HotaResult.Alphas.Count;
        var tp = new int[na];
        var fn = new int[na];
        var fp = new int[na];
        var locA = new double[na];
        if (data.NumTrackerDets == 0 || data.NumGtDets == 0)
        {
            // TrackEval returns before its final fields here: every score stays 0 and LocA is 1.
            Array.Fill(fn, data.NumTrackerDets == 0 ? data.NumGtDets : 0);
            Array.Fill(fp, data.NumTrackerDets == 0 ? 0 : data.NumTrackerDets);
            Array.Fill(locA, 1.0);
            return new HotaResult
            {
                TP = tp, FN = fn, FP = fp, LocA = locA,
                Hota = new double[na], DetA = new double[na], AssA = new double[na], DetRe = new double[na],
                DetPr = new double[na], AssRe = new double[na], AssPr = new double[na], Owta = new double[na],
            };
        }

        int ng = data.NumGtIds, nt = data.NumTrackerIds;
        var potential = new double[ng * nt];
        var gtCount = new double[ng];
        var trCount = new double[nt];
        for (int t = 0; t < data.NumTimesteps; t++)
        {
            AccumulatePotential(data.GtIds[t], data.TrackerIds[t], data.Similarity[t], potential, nt);
            foreach (int g in data.GtIds[t])
            {
                gtCount[g]++;
            }

            foreach (int k in data.TrackerIds[t])
            {
                trCount[k]++;
            }
        }

        var alignment = new double[ng * nt];
        for (int g = 0; g < ng; g++)
        {
            for (int k = 0; k < nt; k++)
            {
                double p = potential[(g * nt) + k];
                alignment[(g * nt) + k] = p / (gtCount[g] + trCount[k] - p);
            }
        }

        var matches = new double[na][];
        for (int a = 0; a < na; a++)
        {
            matches[a] = new double[ng * nt];
        }

        for (int t = 0; t < data.NumTimesteps; t++)
        {
            int[] gIds = data.GtIds[t];
            int[] kIds = data.TrackerIds[t];
            if (gIds.Length == 0 || kIds.Length == 0)
            {
                for (int a = 0; a < na; a++)
                {
                    fp[a] += gIds.Length == 0 ? kIds.Length : 0;
                    fn[a] += gIds.Length == 0 ? 0 : gIds.Length;
                }

                continue;
            }

            double[] sim = data.Similarity[t];
            int cols = kIds.Length;
            var cost = new double[sim.Length];
            var candidate = new bool[sim.Length];
            for (int i = 0; i < gIds.Length; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    cost[(i * cols) + j] = -(alignment[(gIds[i] * nt) + kIds[j]] * sim[(i * cols) + j]);
                    candidate[(i * cols) + j] = cost[(i * cols) + j] < 0;
                }
            }

            // Pairs scoring 0 have IoU 0 (a pair with IoU > 0 has a positive alignment), so they never count at any α.
            var rowToColumn = new int[gIds.Length];
            RectangularAssignment.MinimizeByComponents(cost, candidate, gIds.Length, cols, rowToColumn);
            for (int a = 0; a < na; a++)
            {
                double alpha = HotaResult.Alphas[a];
                int count = 0;
                double iouSum = 0;
                for (int i = 0; i < gIds.Length; i++)
                {
                    int j = rowToColumn[i];
                    if (j >= 0 && sim[(i * cols) + j] >= alpha - Eps)
                    {
                        count++;
                        iouSum += sim[(i * cols) + j];
                        matches[a][(gIds[i] * nt) + kIds[j]]++;
                    }
                }

                tp[a] += count;
                fn[a] += gIds.Length - count;
                fp[a] += cols - count;
                if (count > 0)
                {
                    locA[a] += iouSum;
                }
            }
        }

        var result = new HotaResult
        {
            TP = tp, FN = fn, FP = fp, LocA = locA,
            Hota = new double[na], DetA = new double[na], AssA = new double[na], DetRe = new double[na],
            DetPr = new double[na], AssRe = new double[na], AssPr = new double[na], Owta = new double[na],
        };
        var weighted = new double[ng * nt];
        for (int a = 0; a < na; a++)
        {
            double[] m = matches[a];
            double tpA = Math.Max(1, tp[a]);
            result.AssA[a] = WeightedSum(m, weighted, gtCount, trCount, nt, AssociationKind.Jaccard) / tpA;
            result.AssRe[a] = WeightedSum(m, weighted, gtCount, trCount, nt, AssociationKind.Recall) / tpA;
            result.AssPr[a] = WeightedSum(m, weighted, gtCount, trCount, nt, AssociationKind.Precision) / tpA;
            locA[a] = Math.Max(1e-10, locA[a]) / Math.Max(1e-10, tp[a]);
            result.DetRe[a] = tp[a] / (double)Math.Max(1, tp[a] + fn[a]);
            result.DetPr[a] = tp[a] / (double)Math.Max(1, tp[a] + fp[a]);
            result.DetA[a] = tp[a] / (double)Math.Max(1, tp[a] + fn[a] + fp[a]);
            result.Hota[a] = Math.Sqrt(result.DetA[a] * result.AssA[a]);
            result.Owta[a] = Math.Sqrt(result.DetRe[a] * result.AssA[a]);
        }

        return result;
    }

    private enum AssociationKind
    {
        Jaccard,
        Recall,
        Precision,
    }

    // potential[g, t] += sim / (column sum + row sum − sim), where that denominator is above eps (numpy: sum(0) adds
    // rows in order, sum(1) is a pairwise reduction).
    private static void AccumulatePotential(int[] gIds, int[] kIds, double[] sim, double[] potential, int nt)
    {
        int rows = gIds.Length, cols = kIds.Length;
        if (rows == 0 || cols == 0)
        {
            return;
        }

        Span<double> colSum = cols <= 256 ? stackalloc double[cols] : new double[cols];
        Span<double> rowSum = rows <= 256 ? stackalloc double[rows] : new double[rows];
        colSum.Clear();
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = sim.AsSpan(i * cols, cols);
            rowSum[i] = NumpySum.Pairwise(row);
            for (int j = 0; j < cols; j++)
            {
                colSum[j] = i == 0 ? row[j] : colSum[j] + row[j];
            }
        }

        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double s = sim[(i * cols) + j];
                double denom = colSum[j] + rowSum[i] - s;
                if (denom > Eps)
                {
                    potential[(gIds[i] * nt) + kIds[j]] += s / denom;
                }
            }
        }
    }

    // numpy.sum(matches * score) over the whole gt × tracker matrix, where score is matches / max(1, denominator); the
    // zeros stay in place so that the pairwise sum groups the terms as numpy does.
    private static double WeightedSum(double[] m, double[] scratch, double[] gtCount, double[] trCount, int nt, AssociationKind kind)
    {
        for (int g = 0, idx = 0; g < gtCount.Length; g++)
        {
            for (int k = 0; k < nt; k++, idx++)
            {
                double v = m[idx];
                if (v == 0)
                {
                    scratch[idx] = 0;
                    continue;
                }

                double denom = kind switch
                {
                    AssociationKind.Jaccard => gtCount[g] + trCount[k] - v,
                    AssociationKind.Recall => gtCount[g],
                    _ => trCount[k],
                };
                scratch[idx] = v * (v / Math.Max(1, denom));
            }
        }

        return NumpySum.Pairwise(scratch);
    }
}
