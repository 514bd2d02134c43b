namespace StreamSeg.Cluster;

/// <summary>
/// How a node forms or joins its cluster from service discovery instead of fixed seed nodes (<c>--cluster-bootstrap</c>):
/// it looks up the nodes' cluster endpoints through <see cref="Discovery"/> until at least
/// <see cref="RequiredContactPoints"/> of them (itself among them) have been the same for <see cref="StableMargin"/>,
/// then joins with them as seeds in address order, so that every node picks the same first seed: that node forms the
/// cluster when none answers, and any node joins the cluster that an earlier one already formed (see
/// <see cref="DiscoverySeeder"/>).
/// </summary>
public sealed record ClusterBootstrapSettings
{
    /// <summary>Gets how the nodes are discovered.</summary>
    public BootstrapDiscovery Discovery { get; init; } = BootstrapDiscovery.Kubernetes;

    /// <summary>
    /// Gets how many nodes must be discovered before this node joins (as Akka's <c>required-contact-point-nr</c>,
    /// default 2). Keep it at most the number of nodes, or no cluster ever forms.
    /// </summary>
    public int RequiredContactPoints { get; init; } = 2;

    /// <summary>
    /// Gets the service name looked up in discovery; null: the actor system's name (<c>streamseg</c>), which with
    /// Kubernetes discovery selects the pods labelled <c>app=streamseg</c>.
    /// </summary>
    public string? ServiceName { get; init; }

    /// <summary>
    /// Gets the name of the pods' container port that is the cluster (remoting) port, for
    /// <see cref="BootstrapDiscovery.Kubernetes"/> (default <c>remoting</c>).
    /// </summary>
    public string PortName { get; init; } = "remoting";

    /// <summary>Gets the nodes' cluster endpoints (<c>host:port</c>, this node's among them) for <see cref="BootstrapDiscovery.Config"/>.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>
    /// Gets how long the discovered nodes must stay the same before this node joins (as Akka's <c>stable-margin</c>,
    /// default 5 s); shorter for nodes on one machine.
    /// </summary>
    public TimeSpan StableMargin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets how often discovery is asked while the node has not joined (Akka's bootstrap default 1 s).</summary>
    public TimeSpan LookupInterval { get; init; } = TimeSpan.FromSeconds(1);
}
