using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;

namespace StreamSeg.Cluster;

/// <summary>
/// Akka's shard allocation hook, one shard per stream: a new stream goes to the node with the fewest streams that is
/// under its <c>--max-streams</c>, and every rebalance round moves streams until no two nodes differ by more than one.
/// </summary>
/// <remarks>
/// Akka's <c>LeastShardAllocationStrategy</c> balances shard counts the same way but knows nothing of a node's
/// capacity, so it would place a stream on a full node, which would refuse it. Capacities travel as cluster roles
/// (<see cref="NodeCapacity"/>), which the coordinator reads from the membership it already has.
/// </remarks>
internal sealed class CapacityShardAllocationStrategy : IShardAllocationStrategy
{
    private const int MaxMovesPerRound = 5;
    private readonly Akka.Cluster.Cluster _cluster;

    /// <summary>Creates the strategy for the cluster of <paramref name="system"/>.</summary>
    public CapacityShardAllocationStrategy(ActorSystem system)
    {
        _cluster = Akka.Cluster.Cluster.Get(system);
    }

    /// <inheritdoc/>
    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        IActorRef? region = ShardBalance.Allocate(Loads(currentShardAllocations));
        return Task.FromResult(region ?? requester);
    }

    /// <inheritdoc/>
    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress)
    {
        // One round at a time: shards still moving are counted on their old region, so planning more now would overshoot.
        if (rebalanceInProgress.Count > 0)
        {
            return Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);
        }

        IReadOnlyList<string> moves = ShardBalance.Rebalance(Loads(currentShardAllocations), MaxMovesPerRound);
        return Task.FromResult<IImmutableSet<string>>(moves.ToImmutableHashSet());
    }

    private List<RegionLoad<IActorRef>> Loads(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        ClusterEvent.CurrentClusterState state = _cluster.State;
        var loads = new List<RegionLoad<IActorRef>>(allocations.Count);

        // Sorted by address so that ties go the same way on every coordinator.
        foreach ((IActorRef region, IImmutableList<string> shards) in allocations.OrderBy(a => AddressOf(a.Key).ToString(), StringComparer.Ordinal))
        {
            Address address = AddressOf(region);
            Member? member = state.Members.FirstOrDefault(m => m.Address == address);
            bool available = member is not null && member.Status == MemberStatus.Up && !state.Unreachable.Contains(member);
            loads.Add(new RegionLoad<IActorRef>(region, shards, member is null ? 0 : NodeCapacity.Of(member), available));
        }

        return loads;
    }

    private Address AddressOf(IActorRef region) => region.Path.Address.HasGlobalScope ? region.Path.Address : _cluster.SelfAddress;
}
