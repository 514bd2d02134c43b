using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Xunit.Abstractions;

namespace StreamSeg.Cluster.Tests.Support;

/// <summary>A cluster of <see cref="TestNode"/>s on loopback, on ports the OS picked; disposing it stops every node.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly int _maxStreams;
    private readonly int[] _seedPorts;

    private TestCluster(ITestOutputHelper output, int maxStreams, int[] seedPorts)
    {
        _output = output;
        _maxStreams = maxStreams;
        _seedPorts = seedPorts;
    }

    public List<TestNode> Nodes { get; } = [];

    public IEnumerable<TestNode> Alive => Nodes.Where(n => !n.IsDown);

    /// <summary>Starts <paramref name="count"/> nodes (the first one founds the cluster, the others join it through the seeds) and waits until all are up.</summary>
    public static async Task<TestCluster> StartAsync(int count, int maxStreams, ITestOutputHelper output)
    {
        var cluster = new TestCluster(output, maxStreams, FreePorts.Take(count));
        try
        {
            for (int i = 0; i < count; i++)
            {
                // The founder joins itself at once instead of waiting out seed-node-timeout.
                int[] seeds = i == 0 ? [] : cluster._seedPorts;
                cluster.Nodes.Add(await TestNode.StartAsync($"node{i}", cluster._seedPorts[i], seeds, maxStreams, output));
            }

            await cluster.WaitAllUpAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more node that joins through the original seeds (those alive answer) and waits until it is up.</summary>
    public async Task<TestNode> JoinAsync()
    {
        TestNode node = await TestNode.StartAsync($"node{Nodes.Count}", FreePorts.Take(1)[0], _seedPorts, _maxStreams, _output);
        Nodes.Add(node);
        await WaitAllUpAsync();
        return node;
    }

    /// <summary>
    /// Waits until every node sees all nodes up and the shard coordinator knows every node's region: a region registers
    /// a moment after its node is up, and until then the node gets no new streams (a later rebalance gives it its share).
    /// </summary>
    public async Task WaitAllUpAsync()
    {
        await Eventually.HoldsAsync(
            () => Alive.All(n => Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == MemberStatus.Up) == Alive.Count()),
            TimeSpan.FromSeconds(30),
            () => "all nodes up");
        DateTime start = DateTime.UtcNow;
        while (await RegionCountAsync() != Alive.Count())
        {
            Assert.True(DateTime.UtcNow - start < TimeSpan.FromSeconds(30), "every node's shard region registered");
            await Task.Delay(200);
        }
    }

    private async Task<int> RegionCountAsync()
    {
        IActorRef region = Alive.First().Registry.Get<StreamEntity>();
        ClusterShardingStats stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(TimeSpan.FromSeconds(3)), TimeSpan.FromSeconds(5));
        return stats.Regions.Count;
    }

    public async ValueTask DisposeAsync()
    {
        // Stopped in reverse order, the founder last, so that the others leave a cluster that still has a leader.
        for (int i = Nodes.Count - 1; i >= 0; i--)
        {
            await Nodes[i].DisposeAsync();
        }
    }
}
