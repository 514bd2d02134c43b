namespace StreamSeg.Cli.Serve;

/// <summary>A stream's counters: frames in and out, drops on its own edges, reconnects, end-to-end latency percentiles.</summary>
internal sealed record StreamCounters(long FramesIn, long FramesOut, long Drops, long Reconnects, double E2eP50Ms, double E2eP95Ms);
