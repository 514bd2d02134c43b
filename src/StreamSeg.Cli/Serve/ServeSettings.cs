using StreamSeg.Cluster;
using StreamSeg.Inference;

namespace StreamSeg.Cli.Serve;

/// <summary>What <c>streamseg serve</c> takes beyond a run's settings.</summary>
/// <param name="NodeName">The node's name (<c>--node</c>; default: the machine's name, or <c>host:port</c> in a cluster).</param>
/// <param name="MaxStreams">The most streams at once (<c>--max-streams</c>); 0: unbounded.</param>
/// <param name="DesiredFile">Where the desired list of streams is kept (next to <c>--config</c>); null: not kept (always so in a cluster, whose replicated desired list it is).</param>
/// <param name="Cluster">How the node joins its cluster (<c>--cluster</c>); null: a single node.</param>
/// <param name="FrameSizes">
/// The camera frame sizes to expect (<c>--frame-size</c>): on TensorRT the engines are built at start for their shape
/// profile, as <c>run</c> builds them for its sources; null or empty: <see cref="DefaultFrameSizes"/>.
/// </param>
internal sealed record ServeSettings(string NodeName, int MaxStreams, string? DesiredFile, ClusterNodeOptions? Cluster = null, IReadOnlyList<FrameSize>? FrameSizes = null)
{
    /// <summary>Gets the frame sizes a node expects when none are given: 720p, as <c>models build-engine</c> assumes.</summary>
    public static IReadOnlyList<FrameSize> DefaultFrameSizes { get; } = [new FrameSize(1280, 720)];

    /// <summary>Gets <see cref="FrameSizes"/>, or <see cref="DefaultFrameSizes"/> when none were given.</summary>
    public IReadOnlyList<FrameSize> ExpectedFrameSizes => FrameSizes is { Count: > 0 } sizes ? sizes : DefaultFrameSizes;
}
