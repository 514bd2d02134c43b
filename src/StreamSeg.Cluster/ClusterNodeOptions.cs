namespace StreamSeg.Cluster;

/// <summary>
/// How a <c>streamseg serve --cluster</c> node joins the cluster and how fast the cluster reacts to a lost node.
/// </summary>
/// <remarks>
/// <para>
/// The timing defaults are Akka.NET's production defaults: the failure detector sends a heartbeat every second and marks
/// a node unreachable when none came for <see cref="AcceptableHeartbeatPause"/> (3 s); the keep-majority split-brain
/// resolver downs unreachable nodes once the membership has been stable for <see cref="StableAfter"/> (20 s), and the
/// survivors take over the downed node's streams after a further <see cref="DownRemovalMargin"/> (null: the resolver
/// uses <see cref="StableAfter"/> again), so a crashed node's cameras restart about 45 s after the crash. Raise
/// <see cref="AcceptableHeartbeatPause"/> on busy or virtualised hosts (long GC pauses read as crashes) and
/// <see cref="StableAfter"/> with the cluster's size (Akka's guide: 7 s for ≈ 10 nodes … 20 s for ≈ 100 nodes, more
/// on flaky networks). Nodes on one machine (tests, <c>--cluster-timing loopback</c>) use a heartbeat every 0.5 s, a
/// 2 s pause, 2 s stable-after, a 0.5 s margin and a reconcile every second (see bench/RESULTS.md for what that gives).
/// </para>
/// <para>Shards are rebalanced every <see cref="RebalanceInterval"/> (Akka's default 10 s).</para>
/// </remarks>
public sealed record ClusterNodeOptions
{
    /// <summary>Gets the Akka system name; every node of one cluster uses the same.</summary>
    public string SystemName { get; init; } = "streamseg";

    /// <summary>Gets the address this node binds and advertises.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>
    /// Gets the cluster (Akka remoting) port. 0 lets the OS pick, which suits only a node that starts a cluster alone
    /// (no <see cref="Seeds"/>): the others must know a seed's port.
    /// </summary>
    public int Port { get; init; }

    /// <summary>
    /// Gets the seed nodes as <c>host:port</c>. Empty: this node starts a new cluster by joining itself (unless
    /// <see cref="JoinSelfWithoutSeeds"/> is false). A node listed first in its own seeds also starts the cluster when
    /// no other seed answers.
    /// </summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>
    /// Gets whether a node without <see cref="Seeds"/> starts a cluster by joining itself (true); set false when
    /// something else forms the cluster, such as Akka.Management's cluster bootstrap through Kubernetes discovery.
    /// </summary>
    public bool JoinSelfWithoutSeeds { get; init; } = true;

    /// <summary>
    /// Gets how the node forms or joins its cluster through Akka.Management's cluster bootstrap; null: through
    /// <see cref="Seeds"/>. With bootstrap, <see cref="Seeds"/> must be empty and the node never joins itself.
    /// </summary>
    public ClusterBootstrapSettings? Bootstrap { get; init; }

    /// <summary>Gets extra cluster roles of this node (its capacity role is added to them).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Gets how often a node sends its heartbeat to the nodes that watch it (Akka's default 1 s).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets how long heartbeats may be missing before a node is unreachable (Akka's default 3 s).</summary>
    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets how long the membership must be stable before the split-brain resolver downs unreachable nodes (Akka's default 20 s).</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Gets how long after a node is downed its singletons and shards start elsewhere (time for the downed side to stop
    /// its streams); null leaves it to the split-brain resolver, which uses <see cref="StableAfter"/>.
    /// </summary>
    public TimeSpan? DownRemovalMargin { get; init; }

    /// <summary>Gets how often the shard coordinator rebalances streams over the nodes (Akka's default 10 s).</summary>
    public TimeSpan RebalanceInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets how often the reconciler makes sure every desired stream runs somewhere and removed ones do not.</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets how long a request to the cluster (add, remove, state) waits for its answer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets the options for nodes on one machine (loopback tests): production values with faster failure handling and
    /// rebalancing. Too tight for a real network, where a lost packet or a GC pause would read as a crash.
    /// </summary>
    public ClusterNodeOptions ForLoopbackTests() => this with
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        AcceptableHeartbeatPause = TimeSpan.FromSeconds(2),
        StableAfter = TimeSpan.FromSeconds(2),
        DownRemovalMargin = TimeSpan.FromMilliseconds(500),
        RebalanceInterval = TimeSpan.FromSeconds(2),
        ReconcileInterval = TimeSpan.FromSeconds(1),
        Bootstrap = Bootstrap is null ? null : Bootstrap with { StableMargin = TimeSpan.FromSeconds(1) },
    };
}
