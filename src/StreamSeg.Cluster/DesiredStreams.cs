using Akka.DistributedData;
using StreamSeg.Serving;

namespace StreamSeg.Cluster;

/// <summary>
/// The cluster's desired streams: a last-writer-wins dictionary id → spec, replicated by Akka.DistributedData to every
/// node, written only by the reconciler with majority writes, so it survives the loss of a minority of nodes,
/// the reconciler's among them.
/// </summary>
internal static class DesiredStreams
{
    /// <summary>Gets the replicated key.</summary>
    public static LWWDictionaryKey<string, StreamSpec> Key { get; } = new("streamseg-desired-streams");
}
