namespace StreamSeg.Cli.Eval;

/// <summary><c>streamseg eval --iou-type panoptic</c>: COCO panoptic ground truth and predictions (JSON + PNG folders).</summary>
/// <param name="GroundTruthJson">The ground truth's JSON (<c>--gt</c>).</param>
/// <param name="PredictionJson">The predictions' JSON (<c>--pred</c>).</param>
/// <param name="GroundTruthFolder">The ground truth's PNG folder (<c>--gt-folder</c>; default: the JSON's path without <c>.json</c>).</param>
/// <param name="PredictionFolder">The predictions' PNG folder (<c>--pred-folder</c>; default: the JSON's path without <c>.json</c>).</param>
/// <param name="JsonOutput">Where <c>--json</c> writes the figures, or null.</param>
internal sealed record PanopticEvalRequest(string GroundTruthJson, string PredictionJson, string GroundTruthFolder, string PredictionFolder, string? JsonOutput);
