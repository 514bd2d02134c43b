using StreamSeg.Cluster;

namespace StreamSeg.Cli.Serve;

/// <summary>What <c>streamseg serve</c> takes beyond a run's settings.</summary>
/// <param name="NodeName">The node's name (<c>--node</c>; default: the machine's name, or <c>host:port</c> in a cluster).</param>
/// <param name="MaxStreams">The most streams at once (<c>--max-streams</c>); 0: unbounded.</param>
/// <param name="DesiredFile">Where the desired list of streams is kept (next to <c>--config</c>); null: not kept (always so in a cluster, whose replicated desired list it is).</param>
/// <param name="Cluster">How the node joins its cluster (<c>--cluster</c>); null: a single node.</param>
internal sealed record ServeSettings(string NodeName, int MaxStreams, string? DesiredFile, ClusterNodeOptions? Cluster = null);
