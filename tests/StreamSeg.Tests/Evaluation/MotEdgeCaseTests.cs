using StreamSeg.Evaluation;
using StreamSeg.Evaluation.Mot;

namespace StreamSeg.Tests.Evaluation;

/// <summary>Hand-computed tracking cases for the edges of the definitions and where TrackEval and py-motmetrics differ.</summary>
public sealed class MotEdgeCaseTests
{
    [Fact]
    public void EmptyTracker_EverythingMissed()
    {
        MotEvaluationResult r = new MotEvaluator().Evaluate([Gt(1, 1, 0), Gt(2, 1, 0), Gt(3, 1, 0), Gt(1, 2, 50), Gt(2, 2, 50), Gt(3, 2, 50)], []);
        Assert.Equal((0, 6, 0, 2), (r.Clear.TP, r.Clear.FN, r.Clear.FP, r.Clear.ML));
        Assert.Equal(0.0, r.Clear.MOTA);
        Assert.Equal((0, 6, 0), (r.Identity.IDTP, r.Identity.IDFN, r.Identity.IDFP));
        Assert.All(r.Hota.Hota, v => Assert.Equal(0.0, v));
        Assert.All(r.Hota.LocA, v => Assert.Equal(1.0, v)); // TrackEval's early return
        Assert.Equal(6, r.MotMetrics.NumMisses);
        Assert.Equal(0.0, r.MotMetrics.Mota);
        Assert.True(double.IsNaN(r.MotMetrics.Motp));
    }

    [Fact]
    public void SwitchAfterAGap_CountsOnce_AndMostlyTrackedBoundaryDiffersBetweenTools()
    {
        // GT 1 in frames 1-5: track 7 in 1-2, missed in 3, track 8 in 4-5 (matched 4/5 = 80 %). GT 2 tracked by 9 throughout.
        var gt = new List<MotDetection>();
        var tr = new List<MotDetection>();
        for (int f = 1; f <= 5; f++)
        {
            gt.Add(Gt(f, 1, 0));
            gt.Add(Gt(f, 2, 50));
            tr.Add(Tr(f, 9, 50));
            if (f != 3)
            {
                tr.Add(Tr(f, f < 3 ? 7 : 8, 0));
            }
        }

        MotEvaluationResult r = new MotEvaluator().Evaluate(gt, tr);
        Assert.Equal((9, 1, 0, 1, 1), (r.Clear.TP, r.Clear.FN, r.Clear.FP, r.Clear.IDSW, r.Clear.Frag));
        Assert.Equal(0.8, r.Clear.MOTA, 1e-15);                      // (9 − 0 − 1) / 10
        Assert.Equal((1, 1, 0), (r.Clear.MT, r.Clear.PT, r.Clear.ML)); // TrackEval: MT needs > 80 %
        Assert.Equal((2, 0, 0), (r.MotMetrics.MostlyTracked, r.MotMetrics.PartiallyTracked, r.MotMetrics.MostlyLost)); // py-motmetrics: ≥ 80 %
        Assert.Equal(1, r.MotMetrics.NumSwitches);
        Assert.Equal(1, r.MotMetrics.NumFragmentations);
        Assert.Equal((7, 3, 2), (r.Identity.IDTP, r.Identity.IDFN, r.Identity.IDFP));
        Assert.Equal(7 / 9.5, r.Identity.IDF1, 1e-15);
    }

    [Fact]
    public void GapWhereTheObjectIsAbsent_FragmentsInTrackEvalOnly()
    {
        // GT 1 present in frames 1-2 and 4-5 (absent in 3), always tracked by 7; GT 2 tracked by 9 in all frames.
        var gt = new List<MotDetection>();
        var tr = new List<MotDetection>();
        for (int f = 1; f <= 5; f++)
        {
            gt.Add(Gt(f, 2, 50));
            tr.Add(Tr(f, 9, 50));
            if (f != 3)
            {
                gt.Add(Gt(f, 1, 0));
                tr.Add(Tr(f, 7, 0));
            }
        }

        MotEvaluationResult r = new MotEvaluator().Evaluate(gt, tr);
        Assert.Equal(0, r.Clear.IDSW);
        Assert.Equal(1, r.Clear.Frag);                 // a timestep without the object ends TrackEval's stretch
        Assert.Equal(0, r.MotMetrics.NumSwitches);
        Assert.Equal(0, r.MotMetrics.NumFragmentations); // py-motmetrics only looks at frames where the object is present
    }

    [Fact]
    public void Hota_TwoTracksHalvingOneObject()
    {
        // One object over 4 frames, perfectly localised by track 7 (frames 1-2) then track 8 (frames 3-4).
        // Every α: TP 4, DetA 1; each TP's pair has TPA 2, FNA 2, FPA 0 → AssA 0.5, AssRe 0.5, AssPr 1; HOTA √0.5.
        MotEvaluationResult r = new MotEvaluator().Evaluate(
            [Gt(1, 1, 0), Gt(2, 1, 0), Gt(3, 1, 0), Gt(4, 1, 0)],
            [Tr(1, 7, 0), Tr(2, 7, 0), Tr(3, 8, 0), Tr(4, 8, 0)]);
        for (int a = 0; a < HotaResult.Alphas.Count; a++)
        {
            Assert.Equal(4, r.Hota.TP[a]);
            Assert.Equal(1.0, r.Hota.DetA[a]);
            Assert.Equal(0.5, r.Hota.AssA[a]);
            Assert.Equal(0.5, r.Hota.AssRe[a]);
            Assert.Equal(1.0, r.Hota.AssPr[a]);
            Assert.Equal(Math.Sqrt(0.5), r.Hota.Hota[a]);
            Assert.Equal(1.0, r.Hota.LocA[a]);
        }

        Assert.Equal(1, r.Clear.IDSW);
    }

    [Fact]
    public void Hota_LocalisationThreshold_DropsLooseMatches()
    {
        // IoU of a 10×10 box with one shifted by 5 px: 50 / 150 = 1/3: a TP for α ≤ 0.3 (0.35 > 1/3), never a CLEAR match.
        MotEvaluationResult r = new MotEvaluator().Evaluate([Gt(1, 1, 0)], [Tr(1, 7, 5)]);
        Assert.Equal(new[] { 1, 1, 1, 1, 1, 1, 0 }, r.Hota.TP[..7]);
        Assert.Equal(1.0 / 3, r.Hota.LocA[0], 1e-15);
        Assert.Equal((0, 1, 1), (r.Clear.TP, r.Clear.FN, r.Clear.FP));
    }

    [Fact]
    public void Preprocessing_Mot15DropsZeroMarkedGt_Mot17AlsoDropsDistractorsAndNonPedestrians()
    {
        // Frame 1: GT 1 pedestrian (class 1), GT 2 static person (class 7) marked 0, GT 3 car (class 3) marked 1.
        // Tracks 5, 6, 4 sit exactly on them.
        MotDetection[] gt = [Gt(1, 1, 0, cls: 1), Gt(1, 2, 50, conf: 0, cls: 7), Gt(1, 3, 100, cls: 3)];
        MotDetection[] tr = [Tr(1, 5, 0), Tr(1, 6, 50), Tr(1, 4, 100)];

        // MOT15: no classes; GT 2 (zero-marked) goes, so track 6 is a FP; GT 3 counts.
        MotEvaluationResult mot15 = new MotEvaluator().Evaluate(gt, tr);
        Assert.Equal((2, 0, 1), (mot15.Clear.TP, mot15.Clear.FN, mot15.Clear.FP));

        // MOT17: track 6 matched a distractor-class GT and is removed; GT 3 (car) goes, and track 4 on it stays a FP.
        MotEvaluationResult mot17 = new MotEvaluator(new MotEvaluatorOptions { Preprocessing = MotGtPreprocessing.Mot17 }).Evaluate(gt, tr);
        Assert.Equal((1, 0, 1), (mot17.Clear.TP, mot17.Clear.FN, mot17.Clear.FP));
        Assert.Equal(2, mot17.Data.NumTrackerDets);
    }

    [Fact]
    public void DuplicateIdInAFrame_IsRejected()
    {
        Assert.Throws<FormatException>(() => new MotEvaluator().Evaluate([Gt(1, 1, 0), Gt(1, 1, 20)], []));
    }

    [Fact]
    public void Reader_ParsesCommaAndSpaceSeparatedRows()
    {
        List<MotDetection> rows = MotFileReader.Read(new StringReader("1,3,113.84,274.5,57.307,130.05,-1,-1,-1,-1\n\n2 4 1 2 3 4 1 1 0.5\n"), "test");
        Assert.Equal(new MotDetection(1, 3, 113.84, 274.5, 57.307, 130.05, -1, -1), rows[0]);
        Assert.Equal(new MotDetection(2, 4, 1, 2, 3, 4, 1, 1), rows[1]);
        Assert.Throws<FormatException>(() => MotFileReader.Read(new StringReader("1,2,3\n"), "test"));
    }

    [Fact]
    public void Accumulator_PrefersMorePairsOverALowerTotal_AsAddExpensiveEdges()
    {
        // Pairing (o1,h1) alone costs 0.1; (o1,h2) + (o2,h1) cost 0.5 but pair both: py-motmetrics takes the two pairs.
        var acc = new MotAccumulator();
        acc.Update([1, 2], [1, 2], [0.1, 0.2, 0.3, double.NaN], 0);
        MotMetricsSummary m = acc.Summarize();
        Assert.Equal((2, 0, 0), (m.NumMatches, m.NumMisses, m.NumFalsePositives));
        Assert.Equal(0.25, m.Motp, 1e-15);
    }

    [Fact]
    public void RectangularAssignment_FindsTheMinimumOfEveryInjectiveMapping()
    {
        var random = new Random(13);
        for (int trial = 0; trial < 300; trial++)
        {
            int rows = random.Next(1, 6), cols = random.Next(1, 6);
            var costs = new double[rows * cols];
            for (int i = 0; i < costs.Length; i++)
            {
                costs[i] = random.Next(0, 4) == 0 ? 0 : Math.Round(random.NextDouble() * 10 - 5, 1); // ties on purpose
            }

            var rowToColumn = new int[rows];
            int pairs = RectangularAssignment.Minimize(costs, rows, cols, rowToColumn);
            Assert.Equal(Math.Min(rows, cols), pairs);
            double total = 0;
            var used = new HashSet<int>();
            for (int r = 0; r < rows; r++)
            {
                if (rowToColumn[r] >= 0)
                {
                    Assert.True(used.Add(rowToColumn[r]));
                    total += costs[(r * cols) + rowToColumn[r]];
                }
            }

            Assert.Equal(pairs, used.Count);
            Assert.Equal(BruteForce(costs, rows, cols), total, 1e-9);
        }
    }

    [Fact]
    public void AssignmentByComponents_ReachesTheSameOptimumOverCandidatePairs()
    {
        // The evaluators' form: maximise a score that is 0 off the candidate pairs. Solving per connected component must
        // give the same total score as the dense solve.
        var random = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            int rows = random.Next(1, 8), cols = random.Next(1, 8);
            var costs = new double[rows * cols];
            var candidate = new bool[rows * cols];
            for (int i = 0; i < costs.Length; i++)
            {
                candidate[i] = random.Next(0, 3) == 0;
                costs[i] = candidate[i] ? -Math.Round(random.NextDouble() + 0.01, 2) : 0;
            }

            var dense = new int[rows];
            var split = new int[rows];
            RectangularAssignment.Minimize(costs, rows, cols, dense);
            RectangularAssignment.MinimizeByComponents(costs, candidate, rows, cols, split);
            Assert.Equal(Score(costs, candidate, cols, dense), Score(costs, candidate, cols, split), 1e-9);
        }

        static double Score(double[] costs, bool[] candidate, int cols, int[] rowToColumn)
        {
            double total = 0;
            for (int r = 0; r < rowToColumn.Length; r++)
            {
                int c = rowToColumn[r];
                total += c >= 0 && candidate[(r * cols) + c] ? costs[(r * cols) + c] : 0;
            }

            return total;
        }
    }

    private static double BruteForce(double[] costs, int rows, int cols)
    {
        double best = double.PositiveInfinity;
        void Walk(int r, int assigned, double sum, bool[] usedColumns, bool[] usedRows)
        {
            if (assigned == Math.Min(rows, cols))
            {
                best = Math.Min(best, sum);
                return;
            }

            if (r == rows)
            {
                return;
            }

            if (rows - r > Math.Min(rows, cols) - assigned)
            {
                Walk(r + 1, assigned, sum, usedColumns, usedRows); // leave row r out (only when rows > cols)
            }

            for (int c = 0; c < cols; c++)
            {
                if (!usedColumns[c])
                {
                    usedColumns[c] = true;
                    Walk(r + 1, assigned + 1, sum + costs[(r * cols) + c], usedColumns, usedRows);
                    usedColumns[c] = false;
                }
            }
        }

        Walk(0, 0, 0, new bool[cols], new bool[rows]);
        return best;
    }

    private static MotDetection Gt(int frame, int id, double left, double conf = 1, double cls = -1) => new(frame, id, left, 0, 10, 10, conf, cls);

    private static MotDetection Tr(int frame, int id, double left) => new(frame, id, left, 0, 10, 10, -1, -1);
}
