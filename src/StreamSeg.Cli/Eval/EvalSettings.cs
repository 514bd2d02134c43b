using StreamSeg.Evaluation.Coco;

namespace StreamSeg.Cli.Eval;

/// <summary>The through-the-runtime form of <c>streamseg eval</c>: what to read, which IoU types, where the results and figures go.</summary>
/// <param name="GroundTruth">The COCO ground truth (<c>--gt</c>).</param>
/// <param name="Images">The folder the ground truth's <c>file_name</c>s are relative to (<c>--images</c>).</param>
/// <param name="Results">Where the COCO results file is written (<c>--results</c>).</param>
/// <param name="Types">The IoU types asked for; empty = every type the results support.</param>
/// <param name="PerCategory">Whether per-category AP is printed and written.</param>
/// <param name="Json">Where <c>--json</c> writes the figures, or null.</param>
internal sealed record EvalSettings(string GroundTruth, string Images, string Results, IReadOnlyList<CocoIouType> Types, bool PerCategory, string? Json);
