namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// The matching of one image and category at one area range (pycocotools' <c>evaluateImg</c> result), reduced to what
/// accumulation reads: detection scores in score order, and per threshold which detections matched and which are ignored.
/// </summary>
internal sealed class ImageEvaluation
{
    public ImageEvaluation(double[] scores, bool[] matched, bool[] ignored, int nonIgnoredGroundTruths)
    {
        Scores = scores;
        Matched = matched;
        Ignored = ignored;
        NonIgnoredGroundTruths = nonIgnoredGroundTruths;
    }

    /// <summary>Gets the detection scores, descending (stable), cut to the largest detection limit.</summary>
    public double[] Scores { get; }

    /// <summary>Gets, row-major thresholds × detections, whether the detection matched a ground truth.</summary>
    public bool[] Matched { get; }

    /// <summary>Gets, row-major thresholds × detections, whether the detection is ignored (matched an ignored ground truth, or unmatched outside the area range).</summary>
    public bool[] Ignored { get; }

    /// <summary>Gets the number of ground truths that count at this area range.</summary>
    public int NonIgnoredGroundTruths { get; }
}
