namespace StreamSeg.Cluster;

/// <summary>One shard region (one node) as the allocation strategy sees it.</summary>
/// <typeparam name="TRegion">The region's handle (an actor ref in the cluster, anything in tests).</typeparam>
/// <param name="Region">The region.</param>
/// <param name="Shards">The shards (streams, one per shard) the region hosts now.</param>
/// <param name="Capacity">The node's <c>--max-streams</c>; 0 when unbounded.</param>
/// <param name="Available">Whether the node is up (not joining, leaving or unreachable) and may take new streams.</param>
internal sealed record RegionLoad<TRegion>(TRegion Region, IReadOnlyList<string> Shards, int Capacity, bool Available)
{
    /// <summary>Gets whether the node can take one more stream.</summary>
    public bool HasRoom => Available && (Capacity == 0 || Shards.Count < Capacity);
}
