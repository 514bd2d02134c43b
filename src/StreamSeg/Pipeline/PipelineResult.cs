namespace StreamSeg.Pipeline;

/// <summary>What a finished run did.</summary>
/// <param name="FramesIn">Frames captured.</param>
/// <param name="FramesOut">Frames that reached the sinks.</param>
/// <param name="Dropped">Frames dropped before the sinks (frames in = frames out + dropped).</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="Cancelled">Whether the run was stopped by the user before the sources ended.</param>
/// <param name="FrameBuffersCreated">How many native frame buffers the pools created: bounded by the edge capacities, not by the frame count.</param>
/// <param name="FramesNotReturned">Frames rented from the pools that never came back (0 unless something leaked).</param>
/// <param name="SinkDropped">Frames that reached the sinks but that a slow sink's own edge dropped (all sinks together).</param>
/// <param name="FramesPerSource">Frames captured from each source, in source order (placeholders not counted).</param>
public sealed record PipelineResult(long FramesIn, long FramesOut, long Dropped, TimeSpan Elapsed, bool Cancelled, int FrameBuffersCreated = 0, long FramesNotReturned = 0, long SinkDropped = 0, IReadOnlyList<long>? FramesPerSource = null);
