namespace StreamSeg.Cluster;

/// <summary>
/// Where a new stream goes and which streams move: the fewest streams per node, never past a node's
/// <c>--max-streams</c>. Pure functions, so that <see cref="CapacityShardAllocationStrategy"/> stays a thin adapter.
/// </summary>
internal static class ShardBalance
{
    /// <summary>
    /// Picks the available region with room that hosts the fewest shards (ties: the first in order); when none has room,
    /// the available region with the fewest (the node refuses the stream and the reconciler retries until room frees up);
    /// when none is available, the first region. Null when there is no region at all.
    /// </summary>
    public static TRegion? Allocate<TRegion>(IReadOnlyList<RegionLoad<TRegion>> regions)
    {
        RegionLoad<TRegion>? best = Least(regions, static r => r.HasRoom) ?? Least(regions, static r => r.Available);
        return best is not null ? best.Region : regions.Count > 0 ? regions[0].Region : default;
    }

    /// <summary>
    /// Picks up to <paramref name="limit"/> shards to move: off regions over their capacity, then from the most loaded
    /// region to the least loaded one with room while they differ by two or more (a difference of one is as even as it gets).
    /// </summary>
    public static IReadOnlyList<string> Rebalance<TRegion>(IReadOnlyList<RegionLoad<TRegion>> regions, int limit)
    {
        // Simulate the moves on counts: the coordinator re-allocates each moved shard through Allocate, which picks
        // the same least-loaded targets.
        var counts = new int[regions.Count];
        var taken = new int[regions.Count];
        for (int i = 0; i < regions.Count; i++)
        {
            counts[i] = regions[i].Shards.Count;
        }

        var moves = new List<string>();
        while (moves.Count < limit)
        {
            int target = -1;
            for (int i = 0; i < regions.Count; i++)
            {
                bool room = regions[i].Available && (regions[i].Capacity == 0 || counts[i] < regions[i].Capacity);
                if (room && (target < 0 || counts[i] < counts[target]))
                {
                    target = i;
                }
            }

            if (target < 0)
            {
                break;
            }

            int source = -1;
            for (int i = 0; i < regions.Count; i++)
            {
                if (i == target || taken[i] >= regions[i].Shards.Count)
                {
                    continue;
                }

                bool over = regions[i].Capacity > 0 && counts[i] > regions[i].Capacity;
                bool uneven = counts[i] - counts[target] >= 2;
                if ((over || uneven) && (source < 0 || counts[i] > counts[source]))
                {
                    source = i;
                }
            }

            if (source < 0)
            {
                break;
            }

            IReadOnlyList<string> shards = regions[source].Shards;
            moves.Add(shards[shards.Count - 1 - taken[source]]);
            taken[source]++;
            counts[source]--;
            counts[target]++;
        }

        return moves;
    }

    private static RegionLoad<TRegion>? Least<TRegion>(IReadOnlyList<RegionLoad<TRegion>> regions, Func<RegionLoad<TRegion>, bool> eligible)
    {
        RegionLoad<TRegion>? best = null;
        foreach (RegionLoad<TRegion> region in regions)
        {
            if (eligible(region) && (best is null || region.Shards.Count < best.Shards.Count))
            {
                best = region;
            }
        }

        return best;
    }
}
