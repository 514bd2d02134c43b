namespace StreamSeg.Cluster.Tests;

/// <summary>Where streams go and which move, on made-up loads.</summary>
public sealed class ShardBalanceTests
{
    [Fact]
    public void A_new_stream_goes_to_the_least_loaded_node_with_room()
    {
        RegionLoad<string>[] regions =
        [
            Load("a", 2, capacity: 0),
            Load("b", 1, capacity: 1),   // full
            Load("c", 1, capacity: 0, available: false),   // leaving or unreachable
            Load("d", 2, capacity: 3),
        ];

        Assert.Equal("a", ShardBalance.Allocate(regions));
    }

    [Fact]
    public void When_every_node_is_full_the_least_loaded_available_one_is_picked_and_refuses()
    {
        RegionLoad<string>[] regions = [Load("a", 2, capacity: 2), Load("b", 1, capacity: 1), Load("c", 0, capacity: 0, available: false)];

        Assert.Equal("b", ShardBalance.Allocate(regions));
    }

    [Fact]
    public void A_joining_node_takes_a_share_until_no_two_nodes_differ_by_more_than_one()
    {
        RegionLoad<string>[] regions = [Load("a", 3), Load("b", 3), Load("c", 3), Load("d", 0)];

        IReadOnlyList<string> moves = ShardBalance.Rebalance(regions, limit: 5);

        Assert.Equal(2, moves.Count);
        Assert.Equal(2, moves.Distinct().Count());
        Assert.All(moves, m => Assert.DoesNotContain("d", m, StringComparison.Ordinal));
    }

    [Fact]
    public void A_balanced_cluster_moves_nothing_and_the_limit_caps_a_round()
    {
        Assert.Empty(ShardBalance.Rebalance([Load("a", 3), Load("b", 2), Load("c", 3)], limit: 5));
        Assert.Single(ShardBalance.Rebalance([Load("a", 9), Load("b", 0)], limit: 1));
    }

    [Fact]
    public void A_node_over_its_max_streams_sheds_the_excess_even_when_the_counts_are_close()
    {
        IReadOnlyList<string> moves = ShardBalance.Rebalance([Load("a", 5, capacity: 4), Load("b", 5, capacity: 8)], limit: 5);

        Assert.Equal(["a4"], moves);
    }

    [Fact]
    public void Nothing_moves_to_a_full_or_unavailable_node()
    {
        Assert.Empty(ShardBalance.Rebalance([Load("a", 4), Load("b", 1, capacity: 1), Load("c", 0, available: false)], limit: 5));
    }

    private static RegionLoad<string> Load(string name, int shards, int capacity = 0, bool available = true) =>
        new(name, Enumerable.Range(0, shards).Select(i => $"{name}{i}").ToArray(), capacity, available);
}
