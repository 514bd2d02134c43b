using OpenCvSharp;
using StreamSeg.Decode;

namespace StreamSeg.Sinks;

/// <summary>A copy of what a <see cref="CollectingSink"/> saw of one frame, safe to keep after the frame is released.</summary>
/// <param name="SourceId">The source id.</param>
/// <param name="SourceIndex">The source index.</param>
/// <param name="Index">The frame index within its source.</param>
/// <param name="Pts">The presentation timestamp.</param>
/// <param name="CaptureTime">The capture wall-clock time.</param>
/// <param name="Discontinuity">Whether frames were dropped before this one.</param>
/// <param name="Timings">A copy of the per-stage timings in milliseconds.</param>
/// <param name="Width">The image width.</param>
/// <param name="Height">The image height.</param>
/// <param name="Instances">
/// The frame's instances, or null: the arrays are shared (immutable data), pooled masks are copied (they go back to
/// their pool with the frame).
/// </param>
/// <param name="Image">A clone of the image when <see cref="CollectingSinkOptions.CopyImages"/> is on; disposed with the sink.</param>
public sealed record CollectedFrame(
    string SourceId,
    int SourceIndex,
    long Index,
    TimeSpan Pts,
    DateTimeOffset CaptureTime,
    bool Discontinuity,
    double[] Timings,
    int Width,
    int Height,
    Instances? Instances,
    Mat? Image);
