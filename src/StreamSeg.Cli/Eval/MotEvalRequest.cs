namespace StreamSeg.Cli.Eval;

/// <summary><c>streamseg eval --mot-gt gt.txt --mot-pred tracks.txt</c>: MOTChallenge ground truth and tracker output.</summary>
/// <param name="GroundTruth">The ground-truth file.</param>
/// <param name="Prediction">The tracker's file.</param>
/// <param name="JsonOutput">Where <c>--json</c> writes the figures, or null.</param>
internal sealed record MotEvalRequest(string GroundTruth, string Prediction, string? JsonOutput);
