using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Cli.Track;

/// <summary>One frame of a detections file: what the tracker is given, and the numbers as the file wrote them.</summary>
/// <param name="Meta">The frame's metadata (source, index within the source, discontinuity).</param>
/// <param name="Detections">The frame's detections, in file order.</param>
/// <param name="Raw">The detections as read, <c>[x1, y1, x2, y2, score]</c> per detection in float64, written back unchanged.</param>
internal sealed record DetectionFrame(FrameMetadata Meta, Instances Detections, double[][] Raw);
