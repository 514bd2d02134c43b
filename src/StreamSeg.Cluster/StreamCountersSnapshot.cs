namespace StreamSeg.Cluster;

/// <summary>A running stream's state and counters as its owner reports them to another node's <c>GET /api/streams/{id}</c>.</summary>
/// <param name="State">The stream's state on its owner (<c>live</c>, <c>ended</c>, <c>failed</c> …).</param>
/// <param name="Fps">Its current output frame rate.</param>
/// <param name="FramesIn">Frames read from its source.</param>
/// <param name="FramesOut">Frames its sinks received.</param>
/// <param name="Drops">Frames dropped on its own edges.</param>
/// <param name="Reconnects">Times its source was reopened.</param>
/// <param name="E2eP50Ms">Median capture-to-sink latency, ms.</param>
/// <param name="E2eP95Ms">95th percentile capture-to-sink latency, ms.</param>
/// <param name="Error">Why it failed (credentials redacted); null unless failed.</param>
public sealed record StreamCountersSnapshot(string State, double Fps, long FramesIn, long FramesOut, long Drops, long Reconnects, double E2eP50Ms, double E2eP95Ms, string? Error);
