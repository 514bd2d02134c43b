using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>Live figures of a running pipeline, read by the HUD overlay and the progress display.</summary>
public interface IPipelineStatsView
{
    /// <summary>Gets the recent output rate in frames per second.</summary>
    double FramesPerSecond { get; }

    /// <summary>Gets the total number of frames dropped on all edges so far.</summary>
    long DroppedFrames { get; }

    /// <summary>Gets the recent mean time spent in <paramref name="stage"/>, in milliseconds.</summary>
    double StageMilliseconds(PipelineStage stage);

    /// <summary>Gets the execution provider actually in use (for example <c>CPU</c>).</summary>
    string Provider { get; }
}
