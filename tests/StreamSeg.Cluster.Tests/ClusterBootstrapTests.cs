using Akka.Cluster;
using StreamSeg.Cluster.Tests.Support;
using StreamSeg.Serving;
using Xunit.Abstractions;

namespace StreamSeg.Cluster.Tests;

/// <summary>
/// Cluster bootstrap as <c>--cluster-bootstrap</c> wires it (<see cref="DiscoverySeeder"/>), with Akka.Discovery's config
/// method on loopback standing in for the Kubernetes API: nodes with no seeds and no self-join must find each other
/// and form one cluster, which then runs streams.
/// </summary>
public sealed class ClusterBootstrapTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_nodes_without_seeds_form_one_cluster_through_bootstrap_and_config_discovery()
    {
        int[] ports = FreePorts.Take(2);
        string[] endpoints = [$"127.0.0.1:{ports[0]}", $"127.0.0.1:{ports[1]}"];
        var nodes = new List<TestNode>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                ClusterNodeOptions options = new ClusterNodeOptions
                {
                    Port = ports[i],
                    Bootstrap = new ClusterBootstrapSettings
                    {
                        Discovery = BootstrapDiscovery.Config,
                        RequiredContactPoints = 2,
                        Endpoints = endpoints,
                    },
                }.ForLoopbackTests();
                nodes.Add(await TestNode.StartAsync($"node{i}", options, maxStreams: 2, output));
            }

            // The discovery settings reached Akka, and no seed was configured: only discovery can join the nodes.
            Akka.Configuration.Config config = nodes[0].System.Settings.Config;
            Assert.Equal("config", config.GetString("akka.discovery.method"));
            Assert.Equal(endpoints, config.GetStringList("akka.discovery.config.services.streamseg.endpoints"));
            Assert.Empty(Akka.Cluster.Cluster.Get(nodes[0].System).Settings.SeedNodes);

            await Eventually.HoldsAsync(
                () => nodes.All(n => Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == MemberStatus.Up) == 2),
                TimeSpan.FromSeconds(60),
                () => string.Join("; ", nodes.Select(n => $"{n.Name}: {string.Join(", ", Akka.Cluster.Cluster.Get(n.System).State.Members)}")));
            await nodes[0].Cluster.WhenUp.WaitAsync(TimeSpan.FromSeconds(30));
            await nodes[1].Cluster.WhenUp.WaitAsync(TimeSpan.FromSeconds(30));

            // One cluster, not two: a stream added on one node is known on the other.
            ClusterStreamInfo added = await nodes[1].Cluster.AddAsync(new StreamSpec("cam1", "file.mp4"));
            Assert.NotNull(added.Node);
            IReadOnlyList<ClusterStreamInfo> listed = await nodes[0].Cluster.ListAsync();
            Assert.Equal("cam1", Assert.Single(listed).Spec.Id);
            await Eventually.HoldsAsync(
                () => nodes.Sum(n => n.Streams.RunningIds.Count) == 1,
                TimeSpan.FromSeconds(30),
                () => "cam1 runs on exactly one node");
        }
        finally
        {
            foreach (TestNode node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Kubernetes_bootstrap_configures_the_kubernetes_api_discovery_and_does_not_join_without_it()
    {
        ClusterNodeOptions options = new ClusterNodeOptions
        {
            Port = FreePorts.Take(1)[0],
            Bootstrap = new ClusterBootstrapSettings { Discovery = BootstrapDiscovery.Kubernetes },
        }.ForLoopbackTests();
        await using TestNode node = await TestNode.StartAsync("k8s", options, maxStreams: 1, output);
        Akka.Configuration.Config config = node.System.Settings.Config;
        Assert.Equal("kubernetes-api", config.GetString("akka.discovery.method"));
        Assert.Equal("app={0}", config.GetString("akka.discovery.kubernetes-api.pod-label-selector"));
        Assert.Empty(Akka.Cluster.Cluster.Get(node.System).Settings.SeedNodes);

        // No Kubernetes API here: the node must neither join itself nor come up alone.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(node.Cluster.WhenUp.IsCompleted);
    }
}
