namespace StreamSeg.Evaluation.Mot;

/// <summary>
/// Identity metrics as TrackEval's <c>Identity.eval_sequence</c>: one global one-to-one assignment of ground-truth ids
/// to tracker ids maximising the number of frames in which the pair overlaps with similarity ≥ threshold.
/// </summary>
public static class IdentityMetrics
{
    /// <summary>Computes IDTP/IDFN/IDFP for <paramref name="data"/>.</summary>
    public static IdentityResult Evaluate(MotSequenceData data, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(data);
        int ng = data.NumGtIds, nt = data.NumTrackerIds;
        if (data.NumTrackerDets == 0 || data.NumGtDets == 0)
        {
            return new IdentityResult { IDFN = data.NumGtDets, IDFP = data.NumTrackerDets };
        }

        var potential = new double[ng * nt];
        for (int t = 0; t < data.NumTimesteps; t++)
        {
            int[] g = data.GtIds[t];
            int[] k = data.TrackerIds[t];
            double[] sim = data.Similarity[t];
            for (int i = 0; i < g.Length; i++)
            {
                for (int j = 0; j < k.Length; j++)
                {
                    if (sim[(i * k.Length) + j] >= threshold)
                    {
                        potential[(g[i] * nt) + k[j]]++;
                    }
                }
            }
        }

        // TrackEval minimises IDFN + IDFP over an (ng + nt)² matrix with dummy rows and columns; that total is
        // constant − 2·IDTP, so the optimum is the assignment with the most co-matched frames.
        int idtp = (int)MaxWeightMatching(potential, ng, nt);
        return new IdentityResult { IDTP = idtp, IDFN = data.NumGtDets - idtp, IDFP = data.NumTrackerDets - idtp };
    }

    /// <summary>The largest total weight of a one-to-one matching of a non-negative row-major weight matrix.</summary>
    internal static double MaxWeightMatching(double[] weights, int rows, int columns)
    {
        var cost = new double[weights.Length];
        for (int i = 0; i < cost.Length; i++)
        {
            cost[i] = -weights[i];
        }

        var rowToColumn = new int[rows];
        RectangularAssignment.Minimize(cost, rows, columns, rowToColumn);
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            if (rowToColumn[r] >= 0)
            {
                total += weights[(r * columns) + rowToColumn[r]];
            }
        }

        return total;
    }
}
