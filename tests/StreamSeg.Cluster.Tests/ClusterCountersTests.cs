using StreamSeg.Cluster.Tests.Support;
using StreamSeg.Serving;
using Xunit.Abstractions;

namespace StreamSeg.Cluster.Tests;

/// <summary>A stream's counters asked on a node that does not run it come from its owner, through its sharded entity.</summary>
public sealed class ClusterCountersTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Any_node_gets_a_streams_counters_from_its_owner()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(2, maxStreams: 4, output);
        TestNode[] nodes = [.. cluster.Nodes];
        nodes[0].Streams.FramesIn = 100;
        nodes[1].Streams.FramesIn = 200;
        await nodes[0].Cluster.AddAsync(new StreamSpec("cam1", "a.mp4"));
        await nodes[0].Cluster.AddAsync(new StreamSpec("cam2", "b.mp4"));
        await nodes[0].Cluster.AddAsync(new StreamSpec("cam3", "c.mp4"));
        await Eventually.HoldsAsync(() => nodes.Sum(n => n.Streams.RunningIds.Count) == 3, TimeSpan.FromSeconds(30), () => Runs.Describe(nodes));

        foreach (string id in (string[])["cam1", "cam2", "cam3"])
        {
            TestNode owner = nodes.Single(n => n.Streams.RunningIds.Contains(id));
            foreach (TestNode asker in nodes)
            {
                ClusterStreamCounters counters = await asker.Cluster.GetCountersAsync(id);
                Assert.Equal(owner.Address, counters.Node);
                Assert.NotNull(counters.Counters);
                Assert.Equal(owner.Streams.FramesIn, counters.Counters.FramesIn);
                Assert.Equal("live", counters.Counters.State);
            }
        }
    }
}
