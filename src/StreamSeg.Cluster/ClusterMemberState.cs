namespace StreamSeg.Cluster;

/// <summary>One node as <c>GET /api/cluster</c> shows it.</summary>
/// <param name="Address">The node's cluster address (<c>akka.tcp://streamseg@host:port</c>).</param>
/// <param name="Status">Its membership status in lower case: <c>joining</c>, <c>up</c>, <c>leaving</c>, <c>exiting</c>, <c>down</c> …</param>
/// <param name="Reachable">Whether the node this answer comes from hears its heartbeats.</param>
/// <param name="Streams">How many streams it runs.</param>
/// <param name="MaxStreams">Its <c>--max-streams</c>; 0 when unbounded.</param>
public sealed record ClusterMemberState(string Address, string Status, bool Reachable, int Streams, int MaxStreams);
