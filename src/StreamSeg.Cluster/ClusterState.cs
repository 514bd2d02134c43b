namespace StreamSeg.Cluster;

/// <summary>The cluster as <c>GET /api/cluster</c> shows it.</summary>
/// <param name="Members">The nodes, by address.</param>
/// <param name="Assignments">Stream id → the address of the node that runs it.</param>
public sealed record ClusterState(IReadOnlyList<ClusterMemberState> Members, IReadOnlyDictionary<string, string> Assignments);
