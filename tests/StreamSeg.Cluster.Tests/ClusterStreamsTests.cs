using Akka.Cluster;
using StreamSeg.Cluster.Tests.Support;
using StreamSeg.Serving;
using Xunit.Abstractions;

namespace StreamSeg.Cluster.Tests;

/// <summary>
/// Real Akka.NET clusters on loopback, three or four nodes in this process, each a Generic Host whose pipeline is a
/// <see cref="FakeStreamHost"/> that records when each stream started and stopped there.
/// </summary>
public sealed class ClusterStreamsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);
    private static readonly string[] s_nine = Enumerable.Range(1, 9).Select(i => $"cam{i}").ToArray();

    [Fact]
    public async Task Nine_streams_spread_over_three_nodes_within_max_streams_and_requests_are_refused_as_the_api_maps_them()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(3, maxStreams: 4, output);
        TestNode[] nodes = [.. cluster.Nodes];

        // The loopback timings reached Akka over its own defaults.
        Akka.Configuration.Config config = nodes[0].System.Settings.Config;
        ClusterNodeOptions loopback = new ClusterNodeOptions().ForLoopbackTests();
        Assert.Equal(loopback.StableAfter, config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal(loopback.AcceptableHeartbeatPause, config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(loopback.DownRemovalMargin, config.GetTimeSpan("akka.cluster.down-removal-margin"));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.True(config.GetBoolean("akka.cluster.sharding.remember-entities"));
        Assert.Equal("ddata", config.GetString("akka.cluster.sharding.state-store-mode"));

        // Any node accepts a request: the adds go round the nodes.
        for (int i = 0; i < s_nine.Length; i++)
        {
            ClusterStreamInfo added = await nodes[i % 3].Cluster.AddAsync(new StreamSpec(s_nine[i], $"file{i}.mp4"));
            Assert.NotNull(added.Node);
        }

        Assert.True(Runs.EachRunsOnce(nodes, s_nine), Runs.Describe(nodes));
        Assert.All(nodes, n => Assert.InRange(n.Streams.RunningIds.Count, 1, 4));
        output.WriteLine(Runs.Describe(nodes));

        ClusterState state = await nodes[2].Cluster.GetClusterStateAsync();
        Assert.Equal(3, state.Members.Count);
        Assert.All(state.Members, m => Assert.Equal("up", m.Status));
        Assert.All(state.Members, m => Assert.Equal(4, m.MaxStreams));
        foreach (TestNode node in nodes)
        {
            Assert.All(node.Streams.RunningIds, id => Assert.Equal(node.Address, state.Assignments[id]));
            Assert.Equal(node.Streams.RunningIds.Count, state.Members.Single(m => m.Address == node.Address).Streams);
        }

        var duplicate = await Assert.ThrowsAsync<StreamRequestException>(() => nodes[1].Cluster.AddAsync(new StreamSpec("cam3", "other.mp4")));
        Assert.Equal(StreamRequestError.Duplicate, duplicate.Error);
        var invalid = await Assert.ThrowsAsync<StreamRequestException>(() => nodes[1].Cluster.AddAsync(new StreamSpec("cam/x", "a.mp4")));
        Assert.Equal(StreamRequestError.Invalid, invalid.Error);
        // The owner refuses a source it cannot open: the add is undone, so the id is free again.
        var refused = await Assert.ThrowsAsync<StreamRequestException>(() => nodes[0].Cluster.AddAsync(new StreamSpec("bad", "missing:x.mp4")));
        Assert.Equal(StreamRequestError.Invalid, refused.Error);
        Assert.StartsWith("source:", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await nodes[1].Cluster.ListAsync(), s => s.Spec.Id == "bad");
        var unknown = await Assert.ThrowsAsync<StreamRequestException>(() => nodes[0].Cluster.RemoveAsync("nope"));
        Assert.Equal(StreamRequestError.NotFound, unknown.Error);

        // Three nodes × --max-streams 4: three more fit, the thirteenth does not.
        for (int i = 10; i <= 12; i++)
        {
            await nodes[0].Cluster.AddAsync(new StreamSpec($"cam{i}", "more.mp4"));
        }

        Assert.All(nodes, n => Assert.Equal(4, n.Streams.RunningIds.Count));
        var full = await Assert.ThrowsAsync<StreamRequestException>(() => nodes[2].Cluster.AddAsync(new StreamSpec("cam13", "more.mp4")));
        Assert.Equal(StreamRequestError.Full, full.Error);

        // A removal stops the stream before it returns, and the reconciler does not bring it back.
        TestNode owner = nodes.Single(n => n.Streams.RunningIds.Contains("cam1"));
        await nodes[2].Cluster.RemoveAsync("cam1");
        Assert.DoesNotContain("cam1", owner.Streams.RunningIds);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(nodes, n => n.Streams.RunningIds.Contains("cam1"));
        IReadOnlyList<ClusterStreamInfo> listed = await nodes[1].Cluster.ListAsync();
        Assert.Equal(11, listed.Count);
        Assert.DoesNotContain(listed, s => s.Spec.Id == "cam1");
        Assert.All(listed, s => Assert.NotNull(s.Node));
        Runs.AssertNeverTwice(nodes);
    }

    [Theory]
    [InlineData(0)] // the oldest node: it also hosts the shard coordinator and the reconciler, which move too
    [InlineData(2)] // a younger node: only its cameras move
    public async Task A_killed_nodes_cameras_start_on_survivors_never_twice_and_a_new_node_takes_a_share(int victimIndex)
    {
        await using TestCluster cluster = await TestCluster.StartAsync(3, maxStreams: 6, output);
        TestNode[] nodes = [.. cluster.Nodes];
        foreach (string id in s_nine)
        {
            await nodes[1].Cluster.AddAsync(new StreamSpec(id, "loop.mp4"));
        }

        Assert.True(Runs.EachRunsOnce(nodes, s_nine), Runs.Describe(nodes));

        TestNode victim = nodes[victimIndex];
        string[] orphans = [.. victim.Streams.RunningIds];
        Assert.NotEmpty(orphans);
        DateTime killedAt = await victim.KillAsync();
        TestNode[] survivors = [.. nodes.Where(n => n != victim)];

        await Eventually.HoldsAsync(() => Runs.EachRunsOnce(survivors, s_nine), s_bound, () => Runs.Describe(survivors));
        Runs.AssertNeverTwice(nodes);
        var failover = orphans
            .Select(id => survivors.SelectMany(n => n.Streams.Runs).Where(r => r.Id == id && r.Start >= killedAt).Min(r => r.Start) - killedAt)
            .Order()
            .ToList();
        output.WriteLine($"failover (kill node{victimIndex} → started on a survivor) for {orphans.Length} cameras: {string.Join(", ", failover.Select(t => $"{t.TotalSeconds:0.0} s"))}");

        DateTime joining = DateTime.UtcNow;
        TestNode joined = await cluster.JoinAsync();
        DateTime joinedAt = DateTime.UtcNow;
        await Eventually.HoldsAsync(() => joined.Streams.RunningIds.Count >= 2, s_bound, () => Runs.Describe(cluster.Alive));
        output.WriteLine($"rebalance: the new node runs {joined.Streams.RunningIds.Count} streams {(DateTime.UtcNow - joining).TotalSeconds:0.0} s after it started ({(DateTime.UtcNow - joinedAt).TotalSeconds:0.0} s after it was up with its region registered)");
        await Eventually.HoldsAsync(() => Runs.EachRunsOnce(cluster.Alive, s_nine), s_bound, () => Runs.Describe(cluster.Alive));
        Runs.AssertNeverTwice(nodes.Append(joined));
        ClusterState state = await joined.Cluster.GetClusterStateAsync();
        Assert.Equal(3, state.Members.Count(m => m.Status == "up"));
        Assert.DoesNotContain(state.Members, m => m.Address == victim.Address && m.Status == "up");
    }

    [Fact]
    public async Task A_node_that_stops_gracefully_hands_its_cameras_to_the_others_before_it_exits()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(3, maxStreams: 6, output);
        TestNode[] nodes = [.. cluster.Nodes];
        foreach (string id in s_nine)
        {
            await nodes[2].Cluster.AddAsync(new StreamSpec(id, "loop.mp4"));
        }

        TestNode leaving = nodes[1];
        string[] moving = [.. leaving.Streams.RunningIds];
        Assert.NotEmpty(moving);
        await leaving.StopGracefullyAsync();

        // Coordinated shutdown returned only after the hand-off: nothing runs on the node any more.
        Assert.Empty(leaving.Streams.RunningIds);
        TestNode[] staying = [nodes[0], nodes[2]];
        await Eventually.HoldsAsync(() => Runs.EachRunsOnce(staying, s_nine), s_bound, () => Runs.Describe(staying));
        Runs.AssertNeverTwice(nodes);
        var gaps = moving
            .Select(id =>
            {
                DateTime stopped = leaving.Streams.Runs.Single(r => r.Id == id).Stop!.Value;
                return staying.SelectMany(n => n.Streams.Runs).Where(r => r.Id == id && r.Start >= stopped).Min(r => r.Start) - stopped;
            })
            .Order()
            .ToList();
        output.WriteLine($"drain gap (stopped on the leaving node → started elsewhere) for {moving.Length} cameras: {string.Join(", ", gaps.Select(t => $"{t.TotalSeconds:0.0} s"))}");
        Assert.Equal(2, Akka.Cluster.Cluster.Get(nodes[0].System).State.Members.Count(m => m.Status == MemberStatus.Up));
    }
}
