namespace StreamSeg.Cluster;

/// <summary>A stream's counters as its owner reported them.</summary>
/// <param name="StreamId">The stream's id.</param>
/// <param name="Node">The owner's cluster address.</param>
/// <param name="Counters">The counters; null when the owner does not run the stream (yet) or cannot report them.</param>
public sealed record ClusterStreamCounters(string StreamId, string Node, StreamCountersSnapshot? Counters);
