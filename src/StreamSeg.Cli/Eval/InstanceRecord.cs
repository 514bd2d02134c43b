using StreamSeg.Evaluation.Coco;

namespace StreamSeg.Cli.Eval;

/// <summary>One instance of a <see cref="FrameRecord"/>.</summary>
/// <param name="TrackId">The track id, or null when the run did not track.</param>
/// <param name="ClassName">The class name.</param>
/// <param name="Score">The score.</param>
/// <param name="X1">The box's left edge.</param>
/// <param name="Y1">The box's top edge.</param>
/// <param name="X2">The box's right edge.</param>
/// <param name="Y2">The box's bottom edge.</param>
/// <param name="Mask">The full-frame mask, or null.</param>
/// <param name="Keypoints">The keypoints as flat <c>[x, y, score, …]</c>, or null.</param>
internal sealed record InstanceRecord(long? TrackId, string ClassName, double Score, double X1, double Y1, double X2, double Y2, Rle? Mask, double[]? Keypoints);
