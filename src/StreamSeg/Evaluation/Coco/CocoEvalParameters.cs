namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// pycocotools' <c>Params</c>: IoU thresholds 0.50:0.05:0.95 and recall thresholds 0:0.01:1 (the doubles
/// <c>numpy.linspace</c> produces), detections kept per image, area ranges, OKS sigmas, and the summary stats in the
/// order of pycocotools' <c>stats</c> array.
/// </summary>
public sealed class CocoEvalParameters
{
    private CocoEvalParameters(CocoIouType iouType, int[] maxDets, AreaRange[] areaRanges, CocoStat[] stats)
    {
        IouType = iouType;
        MaxDets = maxDets;
        AreaRanges = areaRanges;
        Stats = stats;
    }

    /// <summary>Gets the COCO keypoint sigmas (nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles), as <c>numpy.array([.26, …]) / 10.0</c>.</summary>
    public static IReadOnlyList<double> CocoKeypointSigmas { get; } = Array.AsReadOnly(
        new[] { .26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89 }.Select(s => s / 10.0).ToArray());

    /// <summary>Gets what is compared.</summary>
    public CocoIouType IouType { get; }

    /// <summary>Gets the IoU (or OKS) thresholds, <c>numpy.linspace(.5, .95, 10)</c>.</summary>
    public IReadOnlyList<double> IouThresholds { get; } = Linspace(.5, .95, 10);

    /// <summary>Gets the recall thresholds, <c>numpy.linspace(0, 1, 101)</c>.</summary>
    public IReadOnlyList<double> RecallThresholds { get; } = Linspace(0, 1, 101);

    /// <summary>Gets the detection limits per image (1, 10, 100; 20 for keypoints).</summary>
    public IReadOnlyList<int> MaxDets { get; }

    /// <summary>Gets the area ranges (all, small, medium, large; all, medium, large for keypoints).</summary>
    public IReadOnlyList<AreaRange> AreaRanges { get; }

    /// <summary>Gets the summary stats, in the order of pycocotools' <c>stats</c>.</summary>
    public IReadOnlyList<CocoStat> Stats { get; }

    /// <summary>The defaults pycocotools uses for <paramref name="iouType"/>.</summary>
    public static CocoEvalParameters For(CocoIouType iouType)
    {
        var all = new AreaRange("all", 0, 1e5 * 1e5);
        var small = new AreaRange("small", 0, 32 * 32);
        var medium = new AreaRange("medium", 32 * 32, 96 * 96);
        var large = new AreaRange("large", 96 * 96, 1e5 * 1e5);
        if (iouType == CocoIouType.Keypoints)
        {
            return new CocoEvalParameters(iouType, [20], [all, medium, large],
            [
                new("AP", true, null, "all", 20),
                new("AP50", true, .5, "all", 20),
                new("AP75", true, .75, "all", 20),
                new("APm", true, null, "medium", 20),
                new("APl", true, null, "large", 20),
                new("AR", false, null, "all", 20),
                new("AR50", false, .5, "all", 20),
                new("AR75", false, .75, "all", 20),
                new("ARm", false, null, "medium", 20),
                new("ARl", false, null, "large", 20),
            ]);
        }

        return new CocoEvalParameters(iouType, [1, 10, 100], [all, small, medium, large],
        [
            new("AP", true, null, "all", 100),
            new("AP50", true, .5, "all", 100),
            new("AP75", true, .75, "all", 100),
            new("APs", true, null, "small", 100),
            new("APm", true, null, "medium", 100),
            new("APl", true, null, "large", 100),
            new("AR1", false, null, "all", 1),
            new("AR10", false, null, "all", 10),
            new("AR100", false, null, "all", 100),
            new("ARs", false, null, "small", 100),
            new("ARm", false, null, "medium", 100),
            new("ARl", false, null, "large", 100),
        ]);
    }

    /// <summary><c>numpy.linspace(start, stop, num)</c>: <c>i · step + start</c>, the last element set to <paramref name="stop"/>.</summary>
    internal static double[] Linspace(double start, double stop, int num)
    {
        var y = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++)
        {
            y[i] = (i * step) + start;
        }

        y[num - 1] = stop;
        return y;
    }
}
