using StreamSeg.Pipeline;

namespace StreamSeg.Cli.Run;

/// <summary>What a finished run gives back: the runner's result and the figures gathered on the way.</summary>
/// <param name="Result">Frames in and out, drops, time, whether it was cancelled.</param>
/// <param name="Stats">Per-stage and end-to-end latency, batches, edges.</param>
internal sealed record PipelineRun(PipelineResult Result, PipelineStats Stats);
