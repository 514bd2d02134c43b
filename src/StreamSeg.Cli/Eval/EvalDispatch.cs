namespace StreamSeg.Cli.Eval;

/// <summary>
/// Where <c>streamseg eval</c> hands Panoptic Quality and tracking metrics to their evaluators (the library's
/// <c>PanopticEvaluator</c> and <c>MotEvaluator</c>, connected here when they are merged). Each entry prints the
/// figures to <c>output</c> (and writes <c>--json</c>) and returns the exit code; until an evaluator is connected it
/// reports that the metric is not available in this build.
/// </summary>
internal static class EvalDispatch
{
    /// <summary>Gets or sets the panoptic evaluation (null: not available in this build).</summary>
    public static Func<PanopticEvalRequest, TextWriter, int>? Panoptic { get; set; }

    /// <summary>Gets or sets the tracking evaluation (null: not available in this build).</summary>
    public static Func<MotEvalRequest, TextWriter, int>? Mot { get; set; }

    /// <summary>Runs the panoptic evaluation, or fails with "not available".</summary>
    public static int RunPanoptic(PanopticEvalRequest request, TextWriter output) =>
        Panoptic is { } run ? run(request, output) : throw new NotSupportedException("panoptic evaluation (--iou-type panoptic) is not available in this build");

    /// <summary>Runs the tracking evaluation, or fails with "not available".</summary>
    public static int RunMot(MotEvalRequest request, TextWriter output) =>
        Mot is { } run ? run(request, output) : throw new NotSupportedException("tracking evaluation (--mot-gt/--mot-pred) is not available in this build");
}
