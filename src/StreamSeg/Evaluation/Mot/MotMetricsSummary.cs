namespace StreamSeg.Evaluation.Mot;

/// <summary>
/// py-motmetrics' metrics (<c>motmetrics.metrics.create()</c>) for one accumulator, under its names. Ratios with a zero
/// denominator are NaN, as its <c>quiet_divide</c> gives.
/// </summary>
public sealed class MotMetricsSummary
{
    /// <summary>Gets num_frames: the frames added.</summary>
    public int NumFrames { get; init; }

    /// <summary>Gets num_matches: MATCH events.</summary>
    public int NumMatches { get; init; }

    /// <summary>Gets num_switches: SWITCH events.</summary>
    public int NumSwitches { get; init; }

    /// <summary>Gets num_transfer.</summary>
    public int NumTransfer { get; init; }

    /// <summary>Gets num_ascend.</summary>
    public int NumAscend { get; init; }

    /// <summary>Gets num_migrate.</summary>
    public int NumMigrate { get; init; }

    /// <summary>Gets num_false_positives.</summary>
    public int NumFalsePositives { get; init; }

    /// <summary>Gets num_misses.</summary>
    public int NumMisses { get; init; }

    /// <summary>Gets num_detections: matches plus switches.</summary>
    public int NumDetections => NumMatches + NumSwitches;

    /// <summary>Gets num_objects: ground-truth boxes.</summary>
    public int NumObjects { get; init; }

    /// <summary>Gets num_predictions: hypothesis boxes.</summary>
    public int NumPredictions { get; init; }

    /// <summary>Gets num_unique_objects: distinct ground-truth ids.</summary>
    public int NumUniqueObjects { get; init; }

    /// <summary>Gets mostly_tracked: objects paired in at least 80 % of their frames.</summary>
    public int MostlyTracked { get; init; }

    /// <summary>Gets partially_tracked: objects paired in 20 % up to (not including) 80 % of their frames.</summary>
    public int PartiallyTracked { get; init; }

    /// <summary>Gets mostly_lost: objects paired in less than 20 % of their frames.</summary>
    public int MostlyLost { get; init; }

    /// <summary>Gets num_fragmentations: per object, the changes from paired to missed between its first and last pairing.</summary>
    public int NumFragmentations { get; init; }

    /// <summary>Gets the summed distance of matches and switches.</summary>
    public double DistanceSum { get; init; }

    /// <summary>Gets idtp.</summary>
    public int Idtp { get; init; }

    /// <summary>Gets idfn.</summary>
    public int Idfn => NumObjects - Idtp;

    /// <summary>Gets idfp.</summary>
    public int Idfp => NumPredictions - Idtp;

    /// <summary>Gets mota = 1 − (misses + switches + false positives) / objects.</summary>
    public double Mota => 1.0 - QuietDivide(NumMisses + NumSwitches + NumFalsePositives, NumObjects);

    /// <summary>Gets motp: the mean distance of matches and switches (lower is better; 1 − IoU for IoU distances).</summary>
    public double Motp => QuietDivide(DistanceSum, NumDetections);

    /// <summary>Gets precision = detections / (detections + false positives).</summary>
    public double Precision => QuietDivide(NumDetections, NumFalsePositives + NumDetections);

    /// <summary>Gets recall = detections / objects.</summary>
    public double Recall => QuietDivide(NumDetections, NumObjects);

    /// <summary>Gets idp = idtp / (idtp + idfp).</summary>
    public double Idp => QuietDivide(Idtp, Idtp + Idfp);

    /// <summary>Gets idr = idtp / (idtp + idfn).</summary>
    public double Idr => QuietDivide(Idtp, Idtp + Idfn);

    /// <summary>Gets idf1 = 2·idtp / (objects + predictions).</summary>
    public double Idf1 => QuietDivide(2.0 * Idtp, NumObjects + NumPredictions);

    internal static MotMetricsSummary FromEvents(
        List<MotEvent> events,
        int frames,
        Dictionary<int, int> objectFrames,
        Dictionary<int, int> hypothesisFrames,
        Dictionary<(int Object, int Hypothesis), int> finitePairs)
    {
        int matches = 0, switches = 0, transfer = 0, ascend = 0, migrate = 0, fp = 0, misses = 0;
        double distanceSum = 0;
        var present = new Dictionary<int, int>();
        var tracked = new Dictionary<int, int>();
        var hypotheses = 0;
        foreach (MotEvent e in events)
        {
            switch (e.Type)
            {
                case MotEventType.Match:
                case MotEventType.Switch:
                    matches += e.Type == MotEventType.Match ? 1 : 0;
                    switches += e.Type == MotEventType.Switch ? 1 : 0;
                    distanceSum += e.Distance;
                    present[e.ObjectId!.Value] = present.GetValueOrDefault(e.ObjectId.Value) + 1;
                    tracked[e.ObjectId.Value] = tracked.GetValueOrDefault(e.ObjectId.Value) + 1;
                    hypotheses++;
                    break;
                case MotEventType.Miss:
                    misses++;
                    present[e.ObjectId!.Value] = present.GetValueOrDefault(e.ObjectId.Value) + 1;
                    break;
                case MotEventType.FalsePositive:
                    fp++;
                    hypotheses++;
                    break;
                case MotEventType.Transfer:
                    transfer++;
                    break;
                case MotEventType.Ascend:
                    ascend++;
                    break;
                default:
                    migrate++;
                    break;
            }
        }

        int mt = 0, pt = 0, ml = 0;
        foreach ((int o, int count) in present)
        {
            double ratio = tracked.GetValueOrDefault(o) / (double)count;
            mt += ratio >= 0.8 ? 1 : 0;
            pt += ratio is >= 0.2 and < 0.8 ? 1 : 0;
            ml += ratio < 0.2 ? 1 : 0;
        }

        return new MotMetricsSummary
        {
            NumFrames = frames,
            NumMatches = matches,
            NumSwitches = switches,
            NumTransfer = transfer,
            NumAscend = ascend,
            NumMigrate = migrate,
            NumFalsePositives = fp,
            NumMisses = misses,
            NumObjects = matches + switches + misses,
            NumPredictions = hypotheses,
            NumUniqueObjects = present.Count,
            MostlyTracked = mt,
            PartiallyTracked = pt,
            MostlyLost = ml,
            NumFragmentations = Fragmentations(events),
            DistanceSum = distanceSum,
            Idtp = GlobalIdtp(objectFrames, hypothesisFrames, finitePairs),
        };
    }

    private static double QuietDivide(double a, double b) => a / b;

    // Per object, over its MATCH/SWITCH/MISS events from its first to its last pairing: count paired → missed changes.
    private static int Fragmentations(List<MotEvent> events)
    {
        var perObject = new Dictionary<int, List<bool>>();
        foreach (MotEvent e in events)
        {
            if (e.Type is MotEventType.Match or MotEventType.Switch or MotEventType.Miss)
            {
                if (!perObject.TryGetValue(e.ObjectId!.Value, out List<bool>? missed))
                {
                    perObject[e.ObjectId.Value] = missed = [];
                }

                missed.Add(e.Type == MotEventType.Miss);
            }
        }

        int fragmentations = 0;
        foreach (List<bool> missed in perObject.Values)
        {
            int first = missed.IndexOf(false), last = missed.LastIndexOf(false);
            for (int k = first + 1; first >= 0 && k <= last; k++)
            {
                fragmentations += missed[k] && !missed[k - 1] ? 1 : 0;
            }
        }

        return fragmentations;
    }

    // id_global_assignment: minimising IDFP + IDFN over the (objects + hypotheses)² matrix is maximising the frames in
    // which the assigned pair had a finite distance.
    private static int GlobalIdtp(Dictionary<int, int> objectFrames, Dictionary<int, int> hypothesisFrames, Dictionary<(int Object, int Hypothesis), int> finitePairs)
    {
        if (objectFrames.Count == 0 || hypothesisFrames.Count == 0)
        {
            return 0;
        }

        var rowOf = new Dictionary<int, int>();
        foreach (int o in objectFrames.Keys)
        {
            rowOf[o] = rowOf.Count;
        }

        var columnOf = new Dictionary<int, int>();
        foreach (int h in hypothesisFrames.Keys)
        {
            columnOf[h] = columnOf.Count;
        }

        var weights = new double[rowOf.Count * columnOf.Count];
        foreach (((int o, int h), int count) in finitePairs)
        {
            weights[(rowOf[o] * columnOf.Count) + columnOf[h]] = count;
        }

        return (int)IdentityMetrics.MaxWeightMatching(weights, rowOf.Count, columnOf.Count);
    }
}
