namespace StreamSeg.Cli.Eval;

/// <summary>
/// Where <c>streamseg eval</c> hands Panoptic Quality and tracking metrics to their evaluators
/// (<see cref="TrackingAndPanopticEval"/> over the library's <c>PanopticEvaluator</c> and <c>MotEvaluator</c>). Each
/// entry prints the figures to <c>output</c> (and writes <c>--json</c>) and returns the exit code.
/// </summary>
internal static class EvalDispatch
{
    /// <summary>Runs the panoptic evaluation.</summary>
    public static int RunPanoptic(PanopticEvalRequest request, TextWriter output) =>
        TrackingAndPanopticEval.RunPanoptic(request.GroundTruthJson, request.GroundTruthFolder, request.PredictionJson, request.PredictionFolder, request.JsonOutput, output);

    /// <summary>Runs the tracking evaluation.</summary>
    public static int RunMot(MotEvalRequest request, TextWriter output) =>
        TrackingAndPanopticEval.RunMot(request.GroundTruth, request.Prediction, request.JsonOutput, output);
}
