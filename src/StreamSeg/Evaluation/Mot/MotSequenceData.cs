namespace StreamSeg.Evaluation.Mot;

/// <summary>
/// A tracking sequence in TrackEval's preprocessed form: per timestep the ground-truth and tracker ids present
/// (relabelled 0..n−1 in ascending order of the original ids) and their similarity matrix.
/// </summary>
public sealed class MotSequenceData
{
    private const double Eps = 2.220446049250313e-16;

    /// <summary>Initialises the data; the arrays are kept, not copied.</summary>
    /// <param name="numGtIds">The number of distinct ground-truth ids.</param>
    /// <param name="numTrackerIds">The number of distinct tracker ids.</param>
    /// <param name="gtIds">Per timestep, the dense ground-truth ids present.</param>
    /// <param name="trackerIds">Per timestep, the dense tracker ids present.</param>
    /// <param name="similarity">Per timestep, the row-major gt × tracker similarity (IoU) matrix.</param>
    public MotSequenceData(int numGtIds, int numTrackerIds, int[][] gtIds, int[][] trackerIds, double[][] similarity)
    {
        ArgumentNullException.ThrowIfNull(gtIds);
        ArgumentNullException.ThrowIfNull(trackerIds);
        ArgumentNullException.ThrowIfNull(similarity);
        if (gtIds.Length != trackerIds.Length || gtIds.Length != similarity.Length)
        {
            throw new ArgumentException("gtIds, trackerIds and similarity must have one entry per timestep.", nameof(similarity));
        }

        for (int t = 0; t < gtIds.Length; t++)
        {
            if (similarity[t].Length != gtIds[t].Length * trackerIds[t].Length)
            {
                throw new ArgumentException($"Timestep {t}: the similarity matrix has {similarity[t].Length} entries; expected {gtIds[t].Length}×{trackerIds[t].Length}.", nameof(similarity));
            }

            Validate(gtIds[t], numGtIds, t, nameof(gtIds));
            Validate(trackerIds[t], numTrackerIds, t, nameof(trackerIds));
            NumGtDets += gtIds[t].Length;
            NumTrackerDets += trackerIds[t].Length;
        }

        NumGtIds = numGtIds;
        NumTrackerIds = numTrackerIds;
        GtIds = gtIds;
        TrackerIds = trackerIds;
        Similarity = similarity;
    }

    /// <summary>Gets the number of timesteps (frames).</summary>
    public int NumTimesteps => GtIds.Length;

    /// <summary>Gets the number of distinct ground-truth ids.</summary>
    public int NumGtIds { get; }

    /// <summary>Gets the number of distinct tracker ids.</summary>
    public int NumTrackerIds { get; }

    /// <summary>Gets the number of ground-truth boxes over all timesteps.</summary>
    public int NumGtDets { get; }

    /// <summary>Gets the number of tracker boxes over all timesteps.</summary>
    public int NumTrackerDets { get; }

    /// <summary>Gets, per timestep, the dense ground-truth ids present.</summary>
    public int[][] GtIds { get; }

    /// <summary>Gets, per timestep, the dense tracker ids present.</summary>
    public int[][] TrackerIds { get; }

    /// <summary>Gets, per timestep, the row-major gt × tracker similarity matrix.</summary>
    public double[][] Similarity { get; }

    /// <summary>
    /// Builds the data from MOTChallenge rows as TrackEval's <c>MotChallenge2DBox</c> does: timesteps are frames
    /// 1..length, the filtering of <paramref name="options"/> is applied, similarity is <see cref="BoxIou.TrackEval"/>.
    /// </summary>
    /// <exception cref="FormatException">A frame number is below 1 or above the sequence length, an id repeats within a frame, or a MOT16+ class is unknown.</exception>
    public static MotSequenceData FromDetections(IReadOnlyList<MotDetection> gt, IReadOnlyList<MotDetection> tracker, MotEvaluatorOptions options)
    {
        (List<MotDetection>[] keptGt, List<MotDetection>[] keptTr) = Preprocess(gt, tracker, options);
        return FromFrames(keptGt, keptTr);
    }

    /// <summary>
    /// Splits the rows into timesteps 1..length and applies the filtering of <paramref name="options"/>; returns the rows
    /// kept per timestep, in file order.
    /// </summary>
    internal static (List<MotDetection>[] Gt, List<MotDetection>[] Tracker) Preprocess(IReadOnlyList<MotDetection> gt, IReadOnlyList<MotDetection> tracker, MotEvaluatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(gt);
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(options);
        int length = options.SequenceLength ?? Math.Max(MaxFrame(gt), MaxFrame(tracker));
        List<MotDetection>[] gtByFrame = ByFrame(gt, length, "ground truth");
        List<MotDetection>[] trByFrame = ByFrame(tracker, length, "tracker");
        bool mot17 = options.Preprocessing != MotGtPreprocessing.Mot15;
        var keptGt = new List<MotDetection>[length];
        var keptTr = new List<MotDetection>[length];
        for (int t = 0; t < length; t++)
        {
            List<MotDetection> g = gtByFrame[t];
            List<MotDetection> k = trByFrame[t];
            if (mot17)
            {
                k = RemoveDistractorMatches(g, k, options.Preprocessing == MotGtPreprocessing.Mot20);
            }

            // The 7th column is read with astype(int) in TrackEval: 0.4 counts as zero-marked.
            keptGt[t] = g.FindAll(d => (long)d.Confidence != 0 && (!mot17 || d.ClassId == 1));
            keptTr[t] = k;
        }

        return (keptGt, keptTr);
    }

    internal static MotSequenceData FromFrames(List<MotDetection>[] keptGt, List<MotDetection>[] keptTr)
    {
        int length = keptGt.Length;
        int[] gtNames = DistinctIds(keptGt);
        int[] trNames = DistinctIds(keptTr);
        var gtIds = new int[length][];
        var trIds = new int[length][];
        var sim = new double[length][];
        for (int t = 0; t < length; t++)
        {
            gtIds[t] = Relabel(keptGt[t], gtNames);
            trIds[t] = Relabel(keptTr[t], trNames);
            sim[t] = Similarities(keptGt[t], keptTr[t]);
        }

        return new MotSequenceData(gtNames.Length, trNames.Length, gtIds, trIds, sim);
    }

    private static void Validate(int[] ids, int count, int t, string name)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)count)
            {
                throw new ArgumentException($"Timestep {t}: id {ids[i]} is outside 0..{count - 1}.", name);
            }

            for (int j = 0; j < i; j++)
            {
                if (ids[j] == ids[i])
                {
                    throw new ArgumentException($"Timestep {t}: id {ids[i]} appears twice.", name);
                }
            }
        }
    }

    private static int MaxFrame(IReadOnlyList<MotDetection> rows)
    {
        int max = 0;
        foreach (MotDetection d in rows)
        {
            max = Math.Max(max, d.Frame);
        }

        return max;
    }

    private static List<MotDetection>[] ByFrame(IReadOnlyList<MotDetection> rows, int length, string what)
    {
        var byFrame = new List<MotDetection>[length];
        for (int t = 0; t < length; t++)
        {
            byFrame[t] = [];
        }

        foreach (MotDetection d in rows)
        {
            if (d.Frame < 1 || d.Frame > length)
            {
                throw new FormatException($"The {what} has a box in frame {d.Frame}, outside the sequence's frames 1..{length}.");
            }

            List<MotDetection> frame = byFrame[d.Frame - 1];
            foreach (MotDetection other in frame)
            {
                if (other.Id == d.Id)
                {
                    throw new FormatException($"The {what} has id {d.Id} twice in frame {d.Frame}.");
                }
            }

            frame.Add(d);
        }

        return byFrame;
    }

    // TrackEval's distractor step: one maximum-IoU assignment at IoU ≥ 0.5 between all GT rows of the frame (zero-marked
    // included) and the tracker rows; tracker boxes assigned to a distractor-class GT are dropped.
    private static List<MotDetection> RemoveDistractorMatches(List<MotDetection> gt, List<MotDetection> tracker, bool mot20)
    {
        foreach (MotDetection g in gt)
        {
            if (g.ClassId is < 1 or > 13 || g.ClassId != Math.Floor(g.ClassId))
            {
                throw new FormatException($"Ground truth class {g.ClassId} in frame {g.Frame} is not a MOTChallenge class (1..13).");
            }
        }

        if (gt.Count == 0 || tracker.Count == 0)
        {
            return tracker;
        }

        double[] score = Similarities(gt, tracker);
        var candidate = new bool[score.Length];
        for (int i = 0; i < score.Length; i++)
        {
            score[i] = score[i] < 0.5 - Eps ? 0 : -score[i];
            candidate[i] = -score[i] > Eps;
        }

        int[] rowToColumn = new int[gt.Count];
        RectangularAssignment.MinimizeByComponents(score, candidate, gt.Count, tracker.Count, rowToColumn);
        var remove = new bool[tracker.Count];
        for (int r = 0; r < gt.Count; r++)
        {
            int c = rowToColumn[r];
            double cls = gt[r].ClassId;
            if (c >= 0 && -score[(r * tracker.Count) + c] > Eps && (cls is 2 or 7 or 8 or 12 || (mot20 && cls == 6)))
            {
                remove[c] = true;
            }
        }

        var kept = new List<MotDetection>(tracker.Count);
        for (int c = 0; c < tracker.Count; c++)
        {
            if (!remove[c])
            {
                kept.Add(tracker[c]);
            }
        }

        return kept;
    }

    private static int[] DistinctIds(List<MotDetection>[] frames)
    {
        var ids = new SortedSet<int>();
        foreach (List<MotDetection> frame in frames)
        {
            foreach (MotDetection d in frame)
            {
                ids.Add(d.Id);
            }
        }

        return [.. ids];
    }

    private static int[] Relabel(List<MotDetection> frame, int[] names)
    {
        var ids = new int[frame.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = Array.BinarySearch(names, frame[i].Id);
        }

        return ids;
    }

    private static double[] Similarities(List<MotDetection> gt, List<MotDetection> tracker)
    {
        var sim = new double[gt.Count * tracker.Count];
        for (int i = 0; i < gt.Count; i++)
        {
            for (int j = 0; j < tracker.Count; j++)
            {
                sim[(i * tracker.Count) + j] = BoxIou.TrackEval(gt[i], tracker[j]);
            }
        }

        return sim;
    }
}
