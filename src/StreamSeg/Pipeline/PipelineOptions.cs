namespace StreamSeg.Pipeline;

/// <summary>How the runner connects the stages.</summary>
/// <param name="StageEdge">The edge between two processing stages (and between the overlay and the fan-out).</param>
/// <param name="SinkCompleteTimeout">How long each sink may take to finalise after the last frame or Ctrl+C.</param>
/// <param name="Pace">Read files at their own frame rate instead of as fast as possible (a paced, live-like run).</param>
/// <param name="LiveDropsBeforeInference">
/// When every source is live, let the edges up to the inference stage drop their oldest frame rather than wait, so a
/// frame waits for at most the inference run in progress (latency of about one run) instead of behind a queue.
/// </param>
public sealed record PipelineOptions(EdgeOptions StageEdge, TimeSpan SinkCompleteTimeout, bool Pace = false, bool LiveDropsBeforeInference = true)
{
    /// <summary>Gets the defaults: edges of 2 that wait, 15 s to finalise each sink.</summary>
    public static PipelineOptions Default { get; } = new(new EdgeOptions(2, FrameDropPolicy.Wait), TimeSpan.FromSeconds(15));
}
